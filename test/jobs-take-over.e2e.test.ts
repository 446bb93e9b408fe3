import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emailModel } from './support/email-model.ts'
import type { ServeProcess } from './support/fte-subprocess.ts'
import { killHard, postEmail, serveJobs } from './support/jobs-serve.ts'
import { email } from './support/jobs-stage.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'
import { type SmtpReceiver, startSmtpReceiver } from './support/smtp-receiver.ts'
import { until } from './support/until.ts'

describe('the jobs of the embedded database, when its holder dies', () => {
  let dir: string
  let model: ScriptedOpenAiServer
  let receiver: SmtpReceiver
  const servers: ServeProcess[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-take-over-'))
    model = await emailModel().start()
    receiver = await startSmtpReceiver()
  })
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.interrupt()
    await receiver.close()
    await model.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const start = async () => {
    const server = await serveJobs({
      cwd: dir,
      dataDir: join(dir, 'data'),
      modelUrl: model.url,
      smtpUrl: receiver.url,
    })
    servers.push(server)
    return server
  }

  it('are run by the server that takes the folder over', async () => {
    const holder = await start()
    const served = await start()
    expect(served.output().stderr).toContain(
      'jobs run in the process that holds the embedded database',
    )
    await killHard(holder)
    await until(async () => served.output().stderr.includes('it runs the jobs'), 60_000)
    const posted = await postEmail(
      served.url,
      email({
        from: 'maya.okafor@example.com',
        subject: 'After the take-over',
        body: 'Status of order #4429?',
        messageId: '<take-over@mail.example.com>',
      }),
    )
    expect(posted.status).toBe(202)
    const [reply] = await receiver.waitFor(1, 60_000)
    expect(reply?.inReplyTo).toBe('<take-over@mail.example.com>')
    expect(reply?.to).toEqual(['maya.okafor@example.com'])
  }, 180_000)
})
