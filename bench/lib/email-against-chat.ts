import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { supportPack } from '../../domains/support/index.ts'
import { devIssuer, issueDevToken } from '../../src/auth/dev-token.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { signPayload } from '../../src/jobs/inbound/signature.ts'
import { packScopes } from '../../src/pack/domain-pack.ts'
import { emailModel } from '../../test/support/email-model.ts'
import { serveProcess } from '../../test/support/fte-subprocess.ts'
import { freePort } from '../../test/support/ports.ts'
import { chatClientThread } from './chat-client-thread.ts'
import { startReplyReceiver } from './reply-receiver.ts'

const SECRET = 'bench-inbound-secret-0123456789abcdef'
const MESSAGE = 'Hello, what is the status of order #4429?'
const MAYA = 'maya.okafor@example.com'

/** Milliseconds per question, each way, in the order asked. */
export interface EmailAndChat {
  email: number[]
  chat: number[]
}

/**
 * `fte serve` as a process of its own (on `env`'s DATABASE_URL, or an embedded data folder of its
 * own), sending replies at once to a receiving SMTP server here, its Worker on the scripted email
 * model. Each question is asked once by email (signed POST /api/inbound/email, timed until the
 * reply's last byte reaches the receiver) and once through POST /api/chat as the same customer
 * (timed until `[DONE]`), interleaved. The model and the receiver run in this process.
 */
export async function emailAgainstChat(
  database: { DATABASE_URL?: string },
  warmup: number,
  rounds: number,
): Promise<EmailAndChat> {
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-email-'))
  const dataDir = join(dir, 'data')
  const model = emailModel()
  await model.start()
  const receiver = await startReplyReceiver()
  const [port, devPort] = [await freePort(), await freePort()]
  const server = await serveProcess(['--port', String(port)], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      ...database,
      FTE_DATA_DIR: dataDir,
      AUTH_DEV_PORT: String(devPort),
      LOG_LEVEL: 'warn',
      SKILLS_USER: 'false',
      CLEANUP_INTERVAL_MINUTES: '0',
      CHAT_RATE_LIMIT: '100000',
      CHAT_RATE_BURST: '1000',
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: model.url,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_MAX_RETRIES: '0',
      EMAIL_INBOUND_SECRET: SECRET,
      EMAIL_SMTP_URL: receiver.url,
      EMAIL_FROM: 'help@desk.example',
      JOBS_REPLIES: 'send',
    },
  })
  const token = await issueDevToken(await devIssuer(dataDir, `http://127.0.0.1:${devPort}`), {
    sub: 'demo|maya-okafor',
    role: 'customer',
    ttlSeconds: 3600,
    audience: server.url,
    scopes: scopesFor('customer', packScopes(supportPack)),
  })
  const chat = chatClientThread(server.url, token, MESSAGE)
  const email = async (): Promise<number> => {
    const messageId = `<${randomUUID()}@mail.example.com>`
    const raw = [
      `From: Maya Okafor <${MAYA}>`,
      'To: help@desk.example',
      `Subject: Order status ${messageId.slice(1, 9)}`,
      `Message-ID: ${messageId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      MESSAGE,
      '',
    ].join('\r\n')
    const started = performance.now()
    const answered = receiver.replyTo(messageId)
    const response = await fetch(`${server.url}/api/inbound/email`, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'message/rfc822',
        'fte-signature': signPayload(SECRET, raw, Math.floor(Date.now() / 1000)),
      },
    })
    await response.body?.cancel()
    if (response.status !== 202) throw new Error(`inbound email answered ${response.status}`)
    const reply = await answered
    if (!reply.raw.includes('Order #4429'))
      throw new Error('the reply does not answer the question')
    return reply.at - started
  }
  try {
    const times: EmailAndChat = { email: [], chat: [] }
    for (let i = 0; i < warmup + rounds; i++) {
      const byEmail = await email()
      const byChat = await chat.turn()
      if (!byChat.ok) throw new Error(`chat turn ${i} did not complete`)
      if (i < warmup) continue
      times.email.push(byEmail)
      times.chat.push(byChat.done)
    }
    return times
  } finally {
    await chat.stop()
    await server.interrupt()
    await receiver.close()
    await model.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
