import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../src/lib/package-root.ts'
import {
  type Finished,
  fteProcess,
  type ServeProcess,
  serveProcess,
} from './support/fte-subprocess.ts'
import { scriptedDemoModel } from './support/scripted-demo-model.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'
import { QUESTION } from './support/support-scenario.ts'

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const DEMO_CSV = join(packageRoot(), 'domains', 'support', 'demo', 'resolved-tickets.csv')

/** What `fte <command>` printed to a person: its output, and not one log line on stderr. */
function done(run: Finished): Finished {
  expect(run.code, run.stderr).toBe(0)
  expect(run.stderr).not.toMatch(/^\{"level"/m)
  return run
}

function idAfter(text: string, prefix: string): string {
  const id = new RegExp(`${prefix}(${UUID})`).exec(text)?.[1]
  if (id === undefined) throw new Error(`no id after "${prefix}" in:\n${text}`)
  return id
}

// `npm start` in one terminal; in another, every other command on the same data folder, as people
// use them while the server runs: each reaches the database through the server that holds it.
describe('fte commands beside a running fte serve, on the same data folder', () => {
  let dir: string
  let dataDir: string
  let model: ScriptedOpenAiServer
  let server: ServeProcess
  let env: Record<string, string>
  /** As the scenario's customer, Maya Okafor. */
  let maya: Record<string, string>

  const fte = (args: string[], as = env, input?: string) =>
    fteProcess(args, { env: as, cwd: dir, ...(input === undefined ? {} : { input }) })

  /** A connection to the database through the server's socket, as any Postgres client makes one. */
  async function database(): Promise<pg.Client> {
    const [, socketDir] = (await readFile(join(dataDir, 'fte.lock'), 'utf8')).split('\n')
    const client = new pg.Client({ host: socketDir, port: 5432 })
    client.on('error', () => {})
    await client.connect()
    return client
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-beside-'))
    dataDir = join(dir, 'data')
    model = await scriptedDemoModel().start()
    env = {
      PATH: process.env.PATH ?? '',
      FTE_DATA_DIR: dataDir,
      SKILLS_USER: 'false',
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: model.url,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_MAX_RETRIES: '0',
    }
    maya = { ...env, MCP_STDIO_SUB: 'demo|maya-okafor', MCP_STDIO_ROLE: 'customer' }
    server = await serveProcess(['--port', '0'], {
      env: { ...env, AUTH_DEV_PORT: '0', LOG_LEVEL: 'warn' },
      cwd: dir,
    })
  })
  afterAll(async () => {
    await server?.interrupt()
    await model?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('reports, seeds, embeds and searches through the server', async () => {
    const served = `embedded (${dataDir}), served by process ${server.child.pid}`
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
      database: { migrationsApplied: number }
    }
    const status = done(await fte(['migrate', '--status']))
    expect(status.stdout).toContain(
      `${served}: ${health.database.migrationsApplied} applied, 0 pending`,
    )

    const seeded = done(await fte(['seed', DEMO_CSV]))
    expect(seeded.stdout).toContain('Read 12 rows from resolved-tickets.csv.')
    expect(seeded.stdout).toContain('Added 8 customers, 12 tickets, 12 documents.')
    expect(seeded.stdout).toContain('Embedded 12 documents (12 chunks)')
    const found = done(
      await fte(['search', 'refund not showing up two weeks after return', '-k', '1']),
    )
    expect(found.stdout).toMatch(
      /^1\. T-1 {2}Refund not showing up two weeks after return approved\n/,
    )

    const db = await database()
    try {
      const { rows: tickets } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tickets WHERE public_id = ANY($1)`,
        [Array.from({ length: 12 }, (_, i) => `T-${i + 1}`)],
      )
      expect(tickets).toEqual([{ n: 12 }])
      // A document written by hand, with no vectors yet: `fte embed` finds and embeds it.
      await db.query(
        `INSERT INTO documents (source, external_id, title, body)
         VALUES ('policy', 'gift-wrapping', 'Gift wrapping',
                 'Gift wrapping is free on every order; a handwritten card costs nothing extra.')`,
      )
      const embedded = done(await fte(['embed']))
      expect(embedded.stdout).toBe(
        'Embedded 1 document and 0 conversation summaries (1 chunk) with fte-local-lexical-v2+support-v1.\n',
      )
      const { rows: vectors } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM embeddings e JOIN documents d ON d.id = e.document_id
         WHERE d.external_id = 'gift-wrapping'`,
      )
      expect(vectors).toEqual([{ n: 1 }])
    } finally {
      await db.end()
    }
    const policy = done(
      await fte(['search', 'is gift wrapping free', '--source', 'policy', '-k', '1']),
    )
    expect(policy.stdout).toMatch(/^1\. gift-wrapping {2}Gift wrapping\n/)
  })

  it("plays the README's #4429 scenario through it: ask, chat, approve, replay, inbox, cleanup", async () => {
    const asked = done(await fte(['ask', QUESTION], maya))
    const conversation = idAfter(asked.stderr, 'conversation ')
    expect(asked.stderr).toBe(`conversation ${conversation}\n`)
    expect(asked.stdout).toContain('? domain_issue_refund waits for your approval')
    const refund = idAfter(asked.stdout, 'approve: npm run fte -- approve ')

    // `fte chat` with the message typed in, then /exit at the approval prompt: nothing decided.
    const chatted = done(await fte(['chat'], maya, `${QUESTION}\n/exit\n`))
    expect(chatted.stdout).toContain('Approve domain_issue_refund? [y/N]')
    const left = idAfter(chatted.stdout, 'domain_issue_refund: npm run fte -- approve ')

    const approved = done(await fte(['approve', refund], maya))
    expect(approved.stdout).toContain('✓ approved: Refund $219.00 on order #4429')
    expect(approved.stdout).toContain(
      'Refund blocked: Order #4429 has already been refunded in full',
    )
    const escalation = idAfter(approved.stdout, 'approve: npm run fte -- approve ')
    const escalated = done(await fte(['approve', escalation], maya))
    expect(escalated.stdout).toContain('← T-1099 is escalated to the billing team.')
    expect(escalated.stdout).toContain('I have escalated ticket T-1099 to billing to trace it.')

    const replay = done(await fte(['replay', conversation]))
    expect(replay.stdout).toContain(`Conversation ${conversation} with Maya Okafor (customer)`)
    expect(replay.stdout).toContain('Maya Okafor (customer)  approved domain_issue_refund')
    expect(replay.stdout).toContain('↳ refund_blocked order:4429 (rule already_refunded')
    expect(replay.stdout).toContain('↳ ticket_escalated ticket:T-1099 (team billing')

    const inbox = done(await fte(['inbox']))
    expect(inbox.stdout).toContain('escalation:T-1099')
    expect(inbox.stdout).toContain('Why escalated: refund issued but not received after two weeks')

    const db = await database()
    try {
      const { rows: approvals } = await db.query(
        `SELECT id, tool, decision, decided_by FROM approvals
         WHERE conversation_id = $1 OR id = $2 ORDER BY created_at`,
        [conversation, left],
      )
      expect(approvals).toEqual([
        {
          id: refund,
          tool: 'domain_issue_refund',
          decision: 'approved',
          decided_by: 'demo|maya-okafor',
        },
        { id: left, tool: 'domain_issue_refund', decision: null, decided_by: null },
        {
          id: escalation,
          tool: 'domain_escalate_ticket',
          decision: 'approved',
          decided_by: 'demo|maya-okafor',
        },
      ])
      const { rows: tickets } = await db.query(
        `SELECT t.status, e.team, e.conversation_id FROM tickets t JOIN escalations e ON e.ticket_id = t.id
         WHERE t.public_id = 'T-1099'`,
      )
      expect(tickets).toEqual([
        { status: 'escalated', team: 'billing', conversation_id: conversation },
      ])

      // Retention through the server: the Worker's spent rate-limit rows go, and it says so.
      const before = new Date()
      const spent = await db.query(`SELECT key FROM rate_limits WHERE tat < $1`, [before])
      expect(spent.rowCount).toBeGreaterThan(0)
      const cleaned = done(await fte(['cleanup']))
      expect(cleaned.stdout).toContain(
        `served by process ${server.child.pid}: removed what expired`,
      )
      const removed = Number(/^ {2}rate-limit rows +(\d+)$/m.exec(cleaned.stdout)?.[1])
      expect(removed).toBeGreaterThanOrEqual(spent.rowCount as number)
      const remaining = await db.query(`SELECT key FROM rate_limits WHERE tat < $1`, [before])
      expect(remaining.rows).toEqual([])
    } finally {
      await db.end()
    }
    // Seven processes one after another: about 10 s alone, longer on two busy cores.
  }, 120_000)

  it('stops on Ctrl-C with exit 0, taking its lock file and socket away; the next command opens the folder itself', async () => {
    expect(existsSync(join(dataDir, '.s.PGSQL.5432'))).toBe(true)
    expect(await server.interrupt()).toBe(0)
    expect(existsSync(join(dataDir, 'fte.lock'))).toBe(false)
    expect(existsSync(join(dataDir, '.s.PGSQL.5432'))).toBe(false)
    const status = done(await fte(['migrate', '--status']))
    expect(status.stdout).toContain(`embedded (${dataDir}): `)
    expect(status.stdout).toMatch(/\): \d+ applied, 0 pending\n$/)
  })
})
