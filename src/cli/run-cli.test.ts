import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../test/support/capture.ts'
import { buildConversation, CONVERSATION } from '../../test/support/conversation-fixture.ts'
import { openPglite } from '../store/pglite-database.ts'
import type { CliContext } from './cli-context.ts'
import { runCli } from './run-cli.ts'

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function fte(args: string[], env: Record<string, string>, cwd = tmpdir()): Promise<Run> {
  const stdout = new Capture()
  const stderr = new Capture()
  const context: CliContext = { env: { LOG_LEVEL: 'warn', ...env }, cwd, stdout, stderr }
  const code = await runCli(args, context)
  return { code, stdout: stdout.text, stderr: stderr.text }
}

describe('fte usage', () => {
  it('explains every command in --help and exits 0', async () => {
    const run = await fte(['--help'], {})
    expect(run.code).toBe(0)
    for (const command of ['serve', 'migrate', 'replay']) expect(run.stdout).toContain(command)
  })

  it('exits 2 on an unknown command and points at --help', async () => {
    const run = await fte(['migrat'], {})
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("unknown command 'migrat'")
    expect(run.stderr).toContain('npm run fte -- --help')
  })

  it('prints the version', async () => {
    const run = await fte(['--version'], {})
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it('exits 2 listing every configuration problem by name, without secrets', async () => {
    const run = await fte(['migrate'], {
      DATABASE_URL: 'mysql://root:sup3rsecret@db/app',
      PORT: 'eighty',
      DATABASE_POOL_MAX: '-1',
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Invalid configuration:')
    expect(run.stderr).toMatch(/DATABASE_POOL_MAX: .*\n.*DATABASE_URL: .*\n.*PORT: /)
    expect(run.stderr).not.toContain('sup3rsecret')
  })

  it('exits 2 when the conversation id is not a UUID', async () => {
    const run = await fte(['replay', '1; DROP TABLE audit_log'], {})
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('is not a conversation id')
  })

  it('exits 1 with a clear message when the database cannot be reached', async () => {
    const run = await fte(['migrate'], { DATABASE_URL: 'postgres://app:pw1234@127.0.0.1:1/app' })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Cannot reach the database at postgres://app:***@127.0.0.1:1/app')
    expect(run.stderr).not.toContain('pw1234')
  })
})

describe('fte on the embedded database', () => {
  let dir: string
  let dataDir: string
  let env: Record<string, string>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-cli-'))
    dataDir = join(dir, 'data')
    env = { FTE_DATA_DIR: dataDir }
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('migrates, reports status, and replays a conversation', async () => {
    const before = await fte(['migrate', '--status'], env)
    expect(before.code).toBe(0)
    expect(before.stdout).toMatch(/pending +core\/001_system_of_record\.sql/)
    expect(before.stdout).toContain('0 applied, 5 pending')

    const tooEarly = await fte(['search', 'refund'], env)
    expect(tooEarly.code).toBe(1)
    expect(tooEarly.stderr).toContain('schema is not up to date (5 migrations not applied)')

    const migrated = await fte(['migrate'], env)
    expect(migrated.code).toBe(0)
    expect(migrated.stdout).toMatch(/applied {2}support\/001_support\.sql/)
    expect(migrated.stdout).toContain('applied 5, 0 were already applied')

    const again = await fte(['migrate'], env)
    expect(again.stdout).toContain('up to date (5 migrations applied)')

    const after = await fte(['migrate', '--status', '--json'], env)
    const statuses = JSON.parse(after.stdout) as { state: string }[]
    expect(statuses.map((s) => s.state)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
    ])

    const db = await openPglite({ dataDir })
    await buildConversation(db)
    await db.close()

    const replay = await fte(['replay', CONVERSATION], env)
    expect(replay.code).toBe(0)
    expect(replay.stdout).toContain(`Conversation ${CONVERSATION} · user demo|maya-okafor`)
    expect(replay.stdout).toMatch(/audit {4}capability_invoked {2}mcp:lookup_order {2}ok {2}42 ms/)

    const json = await fte(['replay', CONVERSATION, '--json'], env)
    const timeline = JSON.parse(json.stdout) as { events: { kind: string }[] }
    expect(timeline.events.map((e) => e.kind)).toEqual([
      'message',
      'audit',
      'audit',
      'audit',
      'message',
    ])

    const search = await fte(['search', 'charged twice on my card', '-k', '2'], env)
    expect(search.code).toBe(0)
    expect(search.stdout).toContain(
      'Nothing in past_case is embedded with fte-local-lexical-v1 yet.',
    )
    const badK = await fte(['search', 'x', '-k', '99'], env)
    expect(badK.code).toBe(2)
    expect(badK.stderr).toContain('must be a whole number from 1 to 50')

    const unknown = await fte(['replay', '00000000-0000-4000-8000-000000000000'], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('No conversation and no audit trail')
  })
})
