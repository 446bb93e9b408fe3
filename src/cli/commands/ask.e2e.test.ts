import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { fte } from '../../../test/support/run-fte.ts'
import { reply, scriptedModel } from '../../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { QUESTION, scriptScenario } from '../../../test/support/support-scenario.ts'
import { runCli } from '../run-cli.ts'

describe('fte ask, fte approve and fte replay on the embedded database', () => {
  let dir: string
  let model: ScriptedOpenAiServer
  let env: Record<string, string>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-ask-'))
    model = await scriptedModel().start()
    env = {
      FTE_DATA_DIR: join(dir, 'data'),
      SKILLS_USER: 'false',
      LLM_BASE_URL: model.url,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_MAX_RETRIES: '0',
      // The CLI acts as MCP_STDIO_SUB: here the demo customer of the scenario.
      MCP_STDIO_SUB: 'demo|maya-okafor',
      MCP_STDIO_ROLE: 'customer',
    }
  })
  afterAll(async () => {
    await model.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('says which variable to set when no model is configured, and exits 2', async () => {
    const run = await fte(['ask', 'hello'], {
      FTE_DATA_DIR: join(dir, 'none'),
      SKILLS_USER: 'false',
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('no model is configured: set OPENAI_API_KEY')
    const groq = await fte(['ask', 'hello'], {
      LLM_PROVIDER: 'groq',
      FTE_DATA_DIR: join(dir, 'none'),
    })
    expect(groq.code).toBe(2)
    expect(groq.stderr).toContain('GROQ_API_KEY is not set (required when LLM_PROVIDER=groq)')
  })

  it('refuses ids that are not UUIDs as usage errors, and an unknown conversation as not found', async () => {
    const approve = await fte(['approve', 'not-a-uuid'], env)
    expect(approve.code).toBe(2)
    expect(approve.stderr).toContain('the approval id must be a UUID')
    const ask = await fte(['ask', 'x', '--conversation', '123'], env)
    expect(ask.code).toBe(2)
    expect(ask.stderr).toContain('--conversation must be a UUID')
    const unknown = await fte(
      ['ask', 'x', '--conversation', '00000000-0000-4000-8000-000000000000'],
      env,
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('No conversation 00000000-0000-4000-8000-000000000000')
  })

  it('runs the #4429 scenario: asks, pauses for approvals, resumes in new processes, replays', async () => {
    scriptScenario(model)
    const asked = await fte(['ask', QUESTION], env)
    expect(asked.code).toBe(0)
    const conversation = /conversation ([0-9a-f-]{36})/.exec(asked.stderr)?.[1] as string
    expect(asked.stdout).toContain('◆ skill find-similar-cases')
    expect(asked.stdout).toContain('→ domain_lookup_order {"order":"4429"}')
    expect(asked.stdout).toContain('? domain_issue_refund')
    const refund = /approve ([0-9a-f-]{36})\n/.exec(asked.stdout)?.[1] as string
    const meanwhile = await fte(['ask', 'hello?', '--conversation', conversation], env)
    expect(meanwhile.code).toBe(1)
    expect(meanwhile.stderr).toContain(`waiting for a decision on domain_issue_refund (${refund})`)

    const approved = await fte(['approve', refund], env)
    expect(approved.code).toBe(0)
    expect(approved.stdout).toContain('✓ approved')
    expect(approved.stdout).toContain('← Refund blocked:')
    expect(approved.stdout).toContain('? domain_escalate_ticket')
    const escalation = /approve ([0-9a-f-]{36})\n/.exec(approved.stdout)?.[1] as string

    const rejected = await fte(
      ['approve', escalation, '--reject', '--reason', 'billing is already on it', '--json'],
      env,
    )
    expect(rejected.code).toBe(0)
    const events = rejected.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; conversationId: string; text?: string })
    expect(events.every((e) => e.conversationId === conversation)).toBe(true)
    expect(events.find((e) => e.type === 'message')?.text).toContain('was declined')

    const again = await fte(['approve', escalation], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`No approval ${escalation} is waiting for you`)

    const replay = await fte(['replay', conversation], env)
    expect(replay.code).toBe(0)
    expectStory(replay.stdout, [
      "Maya Okafor (customer)  wrote\n          I haven't received my refund",
      'Worker for Maya Okafor  activated skill find-similar-cases',
      'Worker for Maya Okafor  called domain_lookup_order {"order":"4429"} (ok, ',
      'Worker for Maya Okafor  asked for approval: Refund $',
      'Maya Okafor (customer)  approved domain_issue_refund',
      'Worker for Maya Okafor  called domain_issue_refund ',
      '↳ refund_blocked order:4429 (rule already_refunded',
      'Worker for Maya Okafor  asked for approval: Escalate ticket T-',
      'Maya Okafor (customer)  rejected domain_escalate_ticket: billing is already on it',
      'Worker for Maya Okafor  replied (gpt-4o-mini, tokens in ',
    ])
    // A skill's activation is one line with its size; its body shows with --verbose.
    expect(replay.stdout).toMatch(/activated skill find-similar-cases \(\d+\.\d kB\)\n/)
    expect(replay.stdout).not.toContain('## Steps')
    expect(replay.stdout).not.toContain('ticket_escalated')
    const verbose = await fte(['replay', conversation, '--verbose'], env)
    expect(verbose.stdout).toContain('          | # Find similar cases\n')
    expect(verbose.stdout).toContain(
      '          | arguments: {"order":"4429","amount_cents":21900,"reason":"refund not received after two weeks","idempotency_key":"scenario-4429-refund"}\n',
    )
  })

  it('chats at the terminal: streams the scenario and asks for each approval', async () => {
    scriptScenario(model)
    const stdout = new Capture()
    const stderr = new Capture()
    const code = await runCli(['chat'], {
      env: { LOG_LEVEL: 'warn', ...env, FTE_DATA_DIR: join(dir, 'chat') },
      cwd: tmpdir(),
      stdout,
      stderr,
      // Typed ahead, as a pipe delivers it: nothing may be lost while the turn runs.
      stdin: Readable.from([`${QUESTION}\ny\nn\nbilling has it\n/exit\n`]),
    })
    expect(stderr.text).not.toContain('fte:')
    expect(code).toBe(0)
    expect(stdout.text).toContain('digital-fte chat · model gpt-4o-mini (compatible)')
    expect(stdout.text).toContain('    Refund $219.00 on order #4429\n')
    expect(stdout.text).toContain('Approve domain_issue_refund? [y/N]')
    expect(stdout.text).toContain('Approve domain_escalate_ticket? [y/N]')
    expect(stdout.text).toContain('✗ rejected')
    expect(stdout.text).not.toContain('failed')
    expect(stdout.text).toMatch(/The escalation of ticket T-\d+ was declined/)
  })

  it("prints the server's summary of a paused call with the model's words apart, and fte approve prints what it decided on", async () => {
    // A reason written to pass for the arguments, the fake amount pushed past a cut-off view.
    const spoof = `${'refund for the damaged item, as agreed. '.repeat(6)}"amount_cents": 100`
    model.enqueue(
      reply({
        toolCalls: [
          {
            name: 'domain_issue_refund',
            arguments: {
              order: '4380',
              amount_cents: 4590,
              reason: spoof,
              idempotency_key: 'cli-summary-4380',
            },
          },
        ],
      }),
    )
    const asked = await fte(['ask', 'Please refund order 4380.'], env)
    expect(asked.code).toBe(0)
    expect(asked.stdout).toContain(
      '  ? domain_issue_refund waits for your approval\n' +
        '    Refund $45.90 on order #4380\n' +
        '      Order: #4380 (delivered)\n' +
        '      Customer: Maya Okafor <maya.okafor@example.com>\n' +
        '      Amount to refund: $45.90\n',
    )
    expect(asked.stdout).toContain(
      `      Reason, in the Worker's words (not checked by the server):\n        | ${spoof}\n`,
    )
    const id = /approve ([0-9a-f-]{36})\n/.exec(asked.stdout)?.[1] as string

    model.enqueue(reply({ text: 'I asked for the refund, as you approved.' }))
    const approved = await fte(['approve', id], env)
    expect(approved.code).toBe(0)
    expect(approved.stdout).toContain(
      '  ✓ approved: Refund $45.90 on order #4380\n    Refund $45.90 on order #4380\n',
    )
    expect(approved.stdout).toContain('      Amount to refund: $45.90\n')
  })

  it('passes the checks of fte doctor against a working provider, and fails a refused key', async () => {
    const ok = await fte(['doctor'], env)
    expect(ok.stdout).toMatch(/✓ configuration: domain support/)
    expect(ok.stdout).toMatch(/✓ database: embedded .*up to date/)
    expect(ok.stdout).toMatch(
      /✓ gateway: in-process \(MCP 2026-07-28\): \d+ tools; the system of record is reachable/,
    )
    expect(ok.stdout).toMatch(/✓ model: compatible at .*: the key works; 1 models listed/)
    expect(ok.code).toBe(0)

    const refusing = await scriptedModel({
      models: () => ({ status: 401, body: { error: { message: 'Incorrect API key provided' } } }),
    }).start()
    const refused = await fte(['doctor', '--json'], {
      ...env,
      LLM_BASE_URL: refusing.url,
      LLM_API_KEY: 'sk-wrong',
    })
    await refusing.stop()
    // One request, no retries: a refused key fails at once.
    expect(refusing.requests.map((r) => r.path)).toEqual(['/v1/models'])
    expect(refused.code).toBe(1)
    const report = JSON.parse(refused.stdout) as { checks: Array<{ name: string; ok: boolean }> }
    expect(report.checks.find((c) => c.name === 'model')).toMatchObject({ ok: false })
    expect(refused.stdout).not.toContain('sk-wrong')
  })

  it('says the model is off, not failed, when none is configured; fails one asked for', async () => {
    const none = { ...env, LLM_BASE_URL: '', LLM_MODEL: '', LLM_API_KEY: '' }
    const off = await fte(['doctor'], none)
    expect(off.stdout).toMatch(/^– model: off: the MCP gateway, the web UI and sign-in need none/m)
    expect(off.stdout).toMatch(/To turn it on: set OPENAI_API_KEY/)
    expect(off.stdout).toMatch(/✓ gateway: in-process/)
    expect(off.code).toBe(0)

    const asked = await fte(['doctor', '--json'], { ...none, LLM_PROVIDER: 'groq' })
    expect(asked.code).toBe(1)
    const report = JSON.parse(asked.stdout) as { checks: Array<{ name: string; ok: boolean }> }
    expect(report.checks.find((c) => c.name === 'model')).toMatchObject({
      ok: false,
      detail: 'GROQ_API_KEY is not set (required when LLM_PROVIDER=groq)',
    })
  })
})

/**
 * A replay reads as a story: `expected` appear in this order, every entry's time is at or after
 * the one before, and every actor is the customer or the Worker acting for her, named one way.
 */
function expectStory(replay: string, expected: string[]): void {
  expect(expected.filter((text) => !replay.includes(text))).toEqual([])
  const at = expected.map((text) => replay.indexOf(text))
  expect(at).toEqual([...at].sort((a, b) => a - b))
  let day = /started (\d{4}-\d\d-\d\d)/.exec(replay)?.[1]
  const stamps: string[] = []
  for (const line of replay.split('\n')) {
    if (/^\d{4}-\d\d-\d\d$/.test(line)) day = line
    const entry = /^(\d\d:\d\d:\d\d) {2}(.+?) {2,}\S/.exec(line)
    if (entry === null) continue
    stamps.push(`${day} ${entry[1]}`)
    expect(['Maya Okafor (customer)', 'Worker for Maya Okafor']).toContain(entry[2])
  }
  expect(stamps.length).toBeGreaterThanOrEqual(expected.length)
  expect(stamps).toEqual([...stamps].sort())
}
