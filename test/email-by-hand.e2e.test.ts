import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../src/lib/package-root.ts'
import { emailModel } from './support/email-model.ts'
import { fteProcess, type ServeProcess, serveProcess } from './support/fte-subprocess.ts'
import { freePort } from './support/ports.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'

const run = promisify(execFile)
const SECRET = 'a-mail-provider-secret-of-32-chars!'

/** The `lang` blocks of the README's "The Worker's own work" section, in order. */
function blocks(lang: 'sh' | 'text'): string[] {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8')
  const start = readme.indexOf("## The Worker's own work")
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  return [...section.matchAll(new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)^\`\`\``, 'gm'))].map(
    (m) => m[1] ?? '',
  )
}

/** Polls `read` until it gives something. */
async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 45_000
  for (;;) {
    const value = await read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('email by hand, as the README shows it', () => {
  let dir: string
  let model: ScriptedOpenAiServer
  let server: ServeProcess
  let env: Record<string, string>
  let smtpPort: number
  let port: number
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-email-readme-'))
    model = emailModel()
    await model.start()
    port = await freePort()
    smtpPort = await freePort()
    env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      PORT: String(port),
      FTE_DATA_DIR: join(dir, 'data'),
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: model.url,
      LLM_MODEL: 'gpt-4o-mini',
      EMAIL_LISTEN_PORT: String(smtpPort),
      EMAIL_INBOUND_SECRET: SECRET,
      JOBS_REPLIES: 'draft',
    }
    server = await serveProcess([], { cwd: dir, env })
  }, 120_000)
  afterAll(async () => {
    await server?.interrupt()
    await model?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  /** Runs a README snippet in bash, pointed at this test's ports. */
  const shell = (snippet: string, env: Record<string, string> = {}) =>
    run(
      'bash',
      [
        '-euo',
        'pipefail',
        '-c',
        snippet.replaceAll(':3000', `:${port}`).replaceAll(':2525', `:${smtpPort}`),
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    )

  /** Drafted replies, read through the server's own socket in the data folder. */
  const drafts = async () => {
    const client = new pg.Client({
      host: join(dir, 'data'),
      port: 5432,
      user: 'fte',
      database: 'fte',
    })
    await client.connect()
    try {
      const { rows } = await client.query<{ to_address: string; subject: string }>(
        `SELECT to_address, subject FROM email_outbox WHERE status = 'draft' ORDER BY created_at`,
      )
      return rows
    } finally {
      await client.end()
    }
  }

  it('takes an email over SMTP with curl, and drafts the reply for staff', async () => {
    const [, start, send] = blocks('sh')
    // The server above was started as the README's line says (on free ports).
    expect(start?.trim()).toBe('EMAIL_LISTEN_PORT=2525 JOBS_REPLIES=draft npm start')
    const [mail] = blocks('text')
    await writeFile(join(dir, 'mail.eml'), (mail ?? '').replaceAll('\n', '\r\n'))
    await shell(send ?? '')
    const [draft] = await until(async () => {
      const rows = await drafts()
      return rows.length > 0 ? rows : undefined
    }, 'the drafted reply')
    expect(draft).toEqual({
      to_address: 'maya.okafor@example.com',
      subject: expect.stringMatching(/^Re: Order #4429 \[ref:[A-Z0-9]{8}\]$/),
    })
  }, 60_000)

  it('takes a signed email posted with curl and openssl', async () => {
    const [signed] = blocks('sh')
    await writeFile(
      join(dir, 'mail.eml'),
      'From: daniel.reyes@example.org\r\nSubject: Hello\r\nMessage-ID: <readme-2@example.org>\r\n\r\nAny news on order #4128?\r\n',
    )
    const { stdout } = await shell(signed ?? '', { EMAIL_INBOUND_SECRET: SECRET })
    expect(JSON.parse(stdout)).toMatchObject({ duplicate: false })
    await until(async () => {
      const rows = await drafts()
      return rows.some((row) => row.to_address === 'daniel.reyes@example.org') ? true : undefined
    }, 'the second drafted reply')
  }, 60_000)

  it('shows the queue and the email settings in fte doctor, beside the server', async () => {
    const doctor = await fteProcess(['doctor'], { cwd: dir, env })
    expect(doctor.stdout).toMatch(
      /^✓ jobs: 0 waiting, 0 failed, 0 handed to a person; replies wait in the outbox \(EMAIL_SMTP_URL unset\); SMTP listener on port \d+; replies drafted for staff unless an envelope says$/m,
    )
  }, 60_000)
})
