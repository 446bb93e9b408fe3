import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../test/support/capture.ts'
import { runCli } from './run-cli.ts'

/** Help speaks of the pack served: its demo people, its CSV, its approvals, its first message. */
describe("fte help in the served pack's words", () => {
  let cwd: string
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'fte-help-'))
  })
  afterAll(() => rm(cwd, { recursive: true, force: true }))

  async function help(args: string[], env: Record<string, string> = {}): Promise<string> {
    const stdout = new Capture()
    const code = await runCli([...args, '--help'], { env, cwd, stdout, stderr: new Capture() })
    expect(code).toBe(0)
    return stdout.text
  }

  it("names the support pack's people, scope, CSV and approvals when it is served", async () => {
    const token = await help(['auth', 'token'])
    expect(token).toContain("auth token --sub 'demo|maya-okafor'")
    expect(token).toContain("auth token --sub 'demo|staff-sam' --role staff")
    expect(token).toMatch(/refund: move money/)
    expect(await help(['seed'])).toContain(
      'holds a resolved support ticket per row, columns id,customer_email,summary,resolution',
    )
    expect(await help(['chat'])).toContain(
      'domain_issue_refund and domain_escalate_ticket wait for your approval',
    )
    expect(await help(['ask'])).toContain('ask "I haven\'t received my refund from order #4429')
  })

  it('speaks of another pack in its own words, with no word of support', async () => {
    const env = { FTE_DOMAIN: 'tasks' }
    const texts = [
      await help(['auth', 'token'], env),
      await help(['seed'], env),
      await help(['chat'], env),
      await help(['ask'], env),
    ].join('\n')
    expect(texts).toContain("auth token --sub 'demo|ana-lima'")
    expect(texts).toContain('The tasks pack imports no CSV')
    expect(texts).toContain('domain_delete_task waits for your approval')
    expect(texts).toContain('ask "Add an urgent task: call the plumber."')
    expect(texts).not.toMatch(/refund|ticket|escalat|maya|4429/i)
  })

  it('still prints help when the configuration cannot be read', async () => {
    expect(await help(['seed'], { FTE_DOMAIN: 'no-such-pack' })).toContain("The support pack's CSV")
  })
})
