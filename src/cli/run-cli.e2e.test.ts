import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConversation, CONVERSATION } from '../../test/support/conversation-fixture.ts'
import { fte } from '../../test/support/run-fte.ts'
import { devIssuer, devTokenVerifier } from '../auth/dev-token.ts'
import { packageRoot } from '../lib/package-root.ts'
import { openPglite } from '../store/pglite-database.ts'

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
    expect(before.stdout).toContain('0 applied, 22 pending')

    const tooEarly = await fte(['search', 'refund'], env)
    expect(tooEarly.code).toBe(1)
    expect(tooEarly.stderr).toContain('schema is not up to date (22 migrations not applied)')

    const migrated = await fte(['migrate'], env)
    expect(migrated.code).toBe(0)
    expect(migrated.stdout).toMatch(/applied {2}support\/001_support\.sql/)
    expect(migrated.stdout).toContain('applied 22, 0 were already applied')

    const again = await fte(['migrate'], env)
    expect(again.stdout).toContain('up to date (22 migrations applied)')

    const after = await fte(['migrate', '--status', '--json'], env)
    const statuses = JSON.parse(after.stdout) as { state: string }[]
    expect(statuses.map((s) => s.state)).toEqual(Array(22).fill('applied'))

    const db = await openPglite({ dataDir })
    await buildConversation(db)
    await db.close()

    const replay = await fte(['replay', CONVERSATION], env)
    expect(replay.code).toBe(0)
    expect(replay.stdout).toContain(`Conversation ${CONVERSATION} with demo|ada-park (customer)`)
    expect(replay.stdout).toMatch(
      /^\d\d:\d\d:\d\d {2}Worker for demo\|ada-park {2}called domain_cancel_booking \{"booking":"2"\} \(ok, 42 ms\)$/m,
    )

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
      'Nothing in past_case is embedded with fte-local-lexical-v2+support-v1 yet.',
    )
    const badK = await fte(['search', 'x', '-k', '99'], env)
    expect(badK.code).toBe(2)
    expect(badK.stderr).toContain('must be a whole number from 1 to 50')

    const unknown = await fte(['replay', '00000000-0000-4000-8000-000000000000'], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('No conversation and no audit trail')
  })

  it('seeds a CSV and policies, embeds, re-embeds and remembers a conversation', async () => {
    const sample = join(packageRoot(), 'domains', 'support', 'demo', 'resolved-tickets.csv')
    const seeded = await fte(['seed', sample], env)
    expect(seeded.code).toBe(0)
    expect(seeded.stdout).toBe(
      'Read 12 rows from resolved-tickets.csv.\n' +
        'Added 9 customers, 12 tickets, 12 documents.\n' +
        'Embedded 12 documents (12 chunks) with fte-local-lexical-v2+support-v1.\n',
    )
    // Not a terminal: plain progress lines, ending on the final count.
    expect(seeded.stderr).toContain('embedding: 12/12 documents (100%)')

    const again = await fte(['seed', sample, '--json'], env)
    expect(JSON.parse(again.stdout)).toMatchObject({ csv: { unchanged: 12, skipped: [] } })
    const plainAgain = await fte(['seed', sample], env)
    expect(plainAgain.stdout).toContain('12 rows were already in the database: left as they are.')
    expect(plainAgain.stdout).toContain('Nothing new to import.')

    const bad = join(dir, 'bad.csv')
    await writeFile(bad, 'id,customer_email,summary,resolution\nx,a@b.co,s,r\n')
    const refused = await fte(['seed', bad], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('1 of 1 row in bad.csv cannot be imported')
    expect(refused.stderr).toContain('line 2: id "x" is neither a number')

    const nothing = await fte(['seed'], env)
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain('name a CSV file to import')

    const policies = join(packageRoot(), 'domains', 'support', 'demo', 'policies')
    const loaded = await fte(['seed', '--policies', policies], env)
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toMatch(
      /^Read 3 markdown files from .*policies: 3 added, 0 updated, 0 unchanged\./,
    )

    const embed = await fte(['embed'], env)
    expect(embed.stdout).toBe(
      'Nothing to embed: every document and conversation summary has fte-local-lexical-v2+support-v1 vectors.\n',
    )
    const remember = await fte(['embed', '--conversation', CONVERSATION], env)
    expect(remember.code).toBe(0)
    expect(remember.stdout).toBe(
      `Remembered conversation ${CONVERSATION}: 1 chunk with fte-local-lexical-v2+support-v1.\n`,
    )
    const memory = await fte(['search', 'cancel the Birch room', '--source', 'conversation'], env)
    expect(memory.stdout).toContain('Customer: Please cancel my booking #2 of the Birch room')

    const small = { ...env, EMBEDDING_DIMENSIONS: '256' }
    const mismatch = await fte(['search', 'refund'], small)
    expect(mismatch.code).toBe(1)
    expect(mismatch.stderr).toContain(
      'Run `npm run fte -- embed --reembed` to move the whole corpus to fte-local-lexical-v2+support-v1 (256 dimensions), or set EMBEDDING_DIMENSIONS back to 1024.',
    )
    const moved = await fte(['embed', '--reembed'], small)
    expect(moved.code).toBe(0)
    expect(moved.stdout).toMatch(
      /^The corpus is now embedded with fte-local-lexical-v2\+support-v1 \(256 dimensions\): 15 documents and 1 conversation embedded, \d+ chunks\.\nRemoved \d+ chunks of fte-local-lexical-v2\+support-v1 \(1024 dimensions\)\.\n$/,
    )
    const minted = await fte(['auth', 'token', '--sub', 'demo|maya-okafor', '--ttl', '600'], env)
    expect(minted.code).toBe(0)
    // The development issuer's URL: PORT (3000) + 1.
    const verify = devTokenVerifier(
      await devIssuer(dataDir, 'http://127.0.0.1:3001'),
      'http://127.0.0.1:3000/mcp',
    )
    expect(await verify(minted.stdout.trim())).toEqual({
      sub: 'demo|maya-okafor',
      role: 'customer',
      scopes: ['read', 'write', 'refund'],
    })
    expect(minted.stderr).toContain('Development only')
    const staff = await fte(
      ['auth', 'token', '--sub', 'demo|staff-sam', '--scope', 'read,staff'],
      env,
    )
    expect(await verify(staff.stdout.trim())).toMatchObject({
      role: 'staff',
      scopes: ['read', 'staff'],
    })
    // For a server on another port: the development issuer next to that port.
    const elsewhereToken = await fte(
      ['auth', 'token', '--resource', 'http://127.0.0.1:3700/mcp'],
      env,
    )
    expect(elsewhereToken.stderr).toContain('from http://127.0.0.1:3701')
    expect(
      await devTokenVerifier(
        await devIssuer(dataDir, 'http://127.0.0.1:3701'),
        'http://127.0.0.1:3700/mcp',
      )(elsewhereToken.stdout.trim()),
    ).toMatchObject({ sub: 'demo|maya-okafor' })
    for (const bad of [
      ['--role', 'admin'],
      ['--scope', 'read,admin'],
      ['--scope', 'read', '--role', 'staff'],
      ['--sub', 'two words'],
      ['--issuer', 'https://auth.example.com'],
    ]) {
      expect((await fte(['auth', 'token', ...bad], env)).code, bad.join(' ')).toBe(2)
    }
    const elsewhere = await fte(['auth', 'token'], {
      ...env,
      AUTH_ISSUER: 'https://auth.example.com',
    })
    expect(elsewhere.code).toBe(2)
    expect(elsewhere.stderr).toContain('AUTH_ISSUER is set (https://auth.example.com)')

    const found = await fte(['search', 'charged twice for one order', '-k', '1'], small)
    expect(found.stdout).toContain('T-3  Duplicate charge on a single order')
  })

  it('expires old messages with fte cleanup and keeps their audit trail', async () => {
    // Three days on, the conversation's two messages have expired; its audit trail has not.
    const aged = await openPglite({ dataDir })
    await aged.query(`UPDATE messages SET created_at = now() - interval '3 days'`)
    await aged.close()
    const cleanup = await fte(['cleanup'], env)
    expect(cleanup.code).toBe(0)
    expect(cleanup.stdout).toContain('messages after 48 h')
    expect(cleanup.stdout).toMatch(/^ {2}messages +2$/m)
    expect(cleanup.stdout).toMatch(/^ {2}audit rows +0$/m)
    const nothingLeft = await fte(['cleanup', '--json'], env)
    const { removed } = JSON.parse(nothingLeft.stdout) as { removed: Record<string, number> }
    expect(Object.values(removed)).toEqual(Array(13).fill(0))
    const replay = (await fte(['replay', CONVERSATION], env)).stdout
    expect(replay).toContain('wrote\n          (the message is no longer kept)')
    expect(replay).toContain('called domain_cancel_booking {"booking":"2"} (ok, 42 ms)')
  })
})
