import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { supportPack } from '../domains/support/index.ts'
import { createLogger } from '../src/lib/logger.ts'
import { type GatewayOverHttp, serveGatewayOverHttp } from '../test/support/gateway-http.ts'
import { MAYA } from '../test/support/support-scenario.ts'
import { median, percentile } from './lib/measure.ts'
import { openDemoDatabase, postgresForBench } from './lib/postgres.ts'
import { type BenchOutcome, type BenchResult, compare } from './lib/result.ts'
import { bareHttp } from './probes/bare-mcp-server.ts'

const CLIENTS = 20
const CALLS_PER_CLIENT = 25
const ROUNDS = 6
/** Calls per client in one HTTP round: about a second of work, so a round is not all noise. */
const HTTP_CALLS_PER_CLIENT = 50
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
const BARE = new URL('./probes/bare-mcp-server.ts', import.meta.url).pathname

interface Run {
  perSecond: number
  p50: number
  p99: number
}

/** `clients` connected clients each making `calls` calls one after another, all at once. */
async function load(
  clients: Client[],
  calls: number,
  call: (client: Client, session: string, i: number) => Promise<unknown>,
  sessions: string[],
): Promise<Run> {
  const times: number[] = []
  const started = performance.now()
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < calls; i++) {
        const t = performance.now()
        await call(client, sessions[c] ?? '', i)
        times.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  return { perSecond: times.length / seconds, p50: median(times), p99: percentile(times, 0.99) }
}

/** A client over HTTP: as 2025 clients connect, or pinned to the 2026-07-28 revision. */
async function connectHttp(
  url: string,
  token?: string,
  era: 'legacy' | 'modern' = 'legacy',
): Promise<Client> {
  const client = new Client(
    { name: 'bench', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  )
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(url),
      token === undefined ? {} : { requestInit: { headers: { Authorization: `Bearer ${token}` } } },
    ),
  )
  return client
}

async function checked(promise: Promise<{ isError?: unknown }>): Promise<void> {
  const result = await promise
  if (result.isError === true) throw new Error(`a benchmark call failed: ${JSON.stringify(result)}`)
}

const notes = (r: Run) => `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`

/**
 * The gateway over HTTP against the bare server, in interleaved rounds (bare, lookup, similar cases,
 * in turning order) so that a slow spell of a shared machine falls on all three alike; each figure
 * is the median of its rounds.
 */
async function overHttp(
  bareUrl: string,
  served: GatewayOverHttp,
  limited: GatewayOverHttp,
  report: (line: string) => void,
): Promise<BenchResult[]> {
  const bareClients = await Promise.all(Array.from({ length: CLIENTS }, () => connectHttp(bareUrl)))
  const connectAll = async (gateway: GatewayOverHttp, era: 'legacy' | 'modern' = 'legacy') => {
    const token = await gateway.token()
    return Promise.all(
      Array.from({ length: CLIENTS }, () => connectHttp(gateway.resource, token, era)),
    )
  }
  const clients = await connectAll(served)
  const modernClients = await connectAll(served, 'modern')
  const limitedClients = await connectAll(limited)
  const begin = (list: Client[]) =>
    Promise.all(
      list.map(async (c) => {
        const r = await c.callTool({ name: 'begin_session', arguments: {} })
        return String((r.structuredContent as { session_handle: string }).session_handle)
      }),
    )
  try {
    const sessions = await begin(clients)
    const modernSessions = await begin(modernClients)
    const limitedSessions = await begin(limitedClients)
    const noop = (c: Client) => checked(c.callTool({ name: 'noop', arguments: {} }))
    const lookup = (c: Client, session: string) =>
      checked(c.callTool({ name: 'domain_lookup_customer', arguments: { session } }))
    const similar = (c: Client, session: string, i: number) =>
      checked(
        c.callTool({
          name: 'domain_find_similar_cases',
          arguments: { session, description: `my refund has not arrived on my card, case ${i}` },
        }),
      )
    // Warm-up: connections, JIT, prepared statements.
    await load(bareClients, 5, noop, [])
    await load(clients, 5, lookup, sessions)
    await load(clients, 5, similar, sessions)
    await load(limitedClients, 5, lookup, limitedSessions)
    await load(modernClients, 5, lookup, modernSessions)
    const rounds: Array<{ bare: Run; lookup: Run; similar: Run; limited: Run; modern: Run }> = []
    const settle = () => new Promise((resolve) => setTimeout(resolve, 100))
    for (let round = 0; round < ROUNDS; round++) {
      // The order turns each round, so no figure always follows the heaviest (and pays its GC).
      const steps = {
        bare: () => load(bareClients, HTTP_CALLS_PER_CLIENT, noop, []),
        lookup: () => load(clients, HTTP_CALLS_PER_CLIENT, lookup, sessions),
        similar: () => load(clients, HTTP_CALLS_PER_CLIENT, similar, sessions),
        limited: () => load(limitedClients, HTTP_CALLS_PER_CLIENT, lookup, limitedSessions),
        modern: () => load(modernClients, HTTP_CALLS_PER_CLIENT, lookup, modernSessions),
      }
      const order = (['bare', 'lookup', 'similar', 'limited', 'modern'] as const).map(
        (_, i, all) => all[(i + round) % all.length] as keyof typeof steps,
      )
      const runs: Partial<Record<keyof typeof steps, Run>> = {}
      for (const step of order) {
        await settle()
        runs[step] = await steps[step]()
      }
      rounds.push(runs as { bare: Run; lookup: Run; similar: Run; limited: Run; modern: Run })
    }
    const anchor = medianRun(rounds.map((r) => r.bare))
    const lookups = medianRun(rounds.map((r) => r.lookup))
    const searches = medianRun(rounds.map((r) => r.similar))
    const budgeted = medianRun(rounds.map((r) => r.limited))
    const modern = medianRun(rounds.map((r) => r.modern))
    const eraRatios = rounds.map((r) => (r.modern.perSecond / r.lookup.perSecond).toFixed(2))
    const limitRatios = rounds.map((r) => (r.limited.perSecond / r.lookup.perSecond).toFixed(2))
    const paired = rounds.map((r) => r.lookup.perSecond / r.bare.perSecond)
    const lookupRatios = paired.map((ratio) => ratio.toFixed(2))
    report(
      `  over HTTP, medians of ${ROUNDS} rounds: bare ${Math.round(anchor.perSecond)} calls/s, lookup ${Math.round(lookups.perSecond)}, similar cases ${Math.round(searches.perSecond)} (lookup/bare by round: ${lookupRatios.join(', ')})`,
    )
    const anchorName = `bare SDK server, no-op tool, same clients (median of ${ROUNDS} interleaved rounds)`
    return [
      compare(
        `domain_lookup_customer over HTTP, ${CLIENTS} concurrent clients, PostgreSQL`,
        'ops/s',
        lookups.perSecond,
        anchorName,
        anchor.perSecond,
        `${notes(lookups)} (bare: ${notes(anchor)}); lookup/bare by round ${lookupRatios.join(', ')} (median ${median(paired).toFixed(2)}); token check, session check, read-only statement, invocation group-committed before the answer`,
      ),
      compare(
        `domain_find_similar_cases over HTTP, ${CLIENTS} concurrent clients, PostgreSQL`,
        'ops/s',
        searches.perSecond,
        anchorName,
        anchor.perSecond,
        `${notes(searches)}; local embedder + HNSW search in a read-only transaction + audit`,
      ),
      compare(
        `domain_lookup_customer over HTTP with the per-identity rate limit (Postgres), ${CLIENTS} clients`,
        'ops/s',
        budgeted.perSecond,
        'the same lookups without a rate limit (interleaved rounds)',
        lookups.perSecond,
        `${notes(budgeted)}; one GCRA upsert per call, a budget never exhausted; limited/unlimited by round ${limitRatios.join(', ')}`,
      ),
      compare(
        `domain_lookup_customer over HTTP in MCP 2026-07-28 (client pinned), ${CLIENTS} clients`,
        'ops/s',
        modern.perSecond,
        'the same lookups in 2025-11-25 (interleaved rounds)',
        lookups.perSecond,
        `${notes(modern)}; no session, the protocol version and Mcp-Method/Mcp-Name headers on every request, the tools/list cache hint; 2026/2025 by round ${eraRatios.join(', ')}`,
      ),
    ]
  } finally {
    await Promise.all(
      [...bareClients, ...clients, ...modernClients, ...limitedClients].map((c) => c.close()),
    )
  }
}

/** The round with the median throughput (its latencies come with it). */
function medianRun(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond)
  return sorted[Math.floor(sorted.length / 2)] as Run
}

export async function benchMcp(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-mcp-'))
  const logger = createLogger({ level: 'silent' })
  const bare = await bareHttp()
  try {
    const server = await postgresForBench(env)
    if (typeof server === 'string') {
      out.skipped.push({ name: 'MCP gateway over HTTP on PostgreSQL', reason: server })
    } else {
      try {
        const db = await openDemoDatabase(server.url, 20)
        try {
          const served = await serveGatewayOverHttp(db, dir, {
            pack: supportPack,
            person: MAYA.sub,
            logger,
            maxConcurrentPerIdentity: 1000,
          })
          // The same gateway with the production default's limiter, on a budget it never exhausts.
          const limited = await serveGatewayOverHttp(db, dir, {
            pack: supportPack,
            person: MAYA.sub,
            logger,
            maxConcurrentPerIdentity: 1000,
            rateLimit: { perMinute: 1_000_000, burst: 10_000 },
          })
          try {
            out.results.push(...(await overHttp(bare.url, served, limited, report)))
          } finally {
            await served.close()
            await limited.close()
          }
        } finally {
          await db.close()
        }
      } finally {
        await server.release()
      }
    }

    // stdio: `fte mcp` on the embedded database against the bare server over stdio.
    const stdioEnv = {
      ...process.env,
      FTE_DATA_DIR: join(dir, 'stdio'),
      LOG_LEVEL: 'silent',
      // 20 calls in flight from one client: above the default per-identity limit of 8; and
      // thousands of calls by the one local operator, beyond the default budget of 600 a minute.
      MCP_MAX_CONCURRENT_PER_IDENTITY: '100',
      MCP_RATE_LIMIT: '1000000',
      MCP_RATE_BURST: '10000',
    } as Record<string, string>
    const ready = async (command: string, args: string[]) => {
      const started = performance.now()
      const client = new Client({ name: 'bench', version: '1.0.0' })
      await client.connect(
        new StdioClientTransport({ command, args, env: stdioEnv, stderr: 'ignore' }),
      )
      await client.listTools()
      return { client, ms: performance.now() - started }
    }
    // The first start creates the embedded database; readiness is measured on later starts.
    const first = await ready(process.execPath, [MAIN, 'mcp'])
    await checked(first.client.callTool({ name: 'health', arguments: {} }))
    await first.client.close()
    const fteReady: number[] = []
    const bareReady: number[] = []
    for (let i = 0; i < 3; i++) {
      const f = await ready(process.execPath, [MAIN, 'mcp'])
      fteReady.push(f.ms)
      await f.client.close()
      const b = await ready(process.execPath, [BARE, 'stdio'])
      bareReady.push(b.ms)
      await b.client.close()
    }
    out.results.push(
      compare(
        'fte mcp: spawn to tools/list answered (embedded database)',
        'ms',
        median(fteReady),
        'bare SDK server over stdio, the same',
        median(bareReady),
        'median of 3; the database opens while the handshake is answered',
      ),
    )

    const fte = await ready(process.execPath, [MAIN, 'mcp'])
    const bareStdio = await ready(process.execPath, [BARE, 'stdio'])
    try {
      const begun = await fte.client.callTool({ name: 'begin_session', arguments: {} })
      const session = String((begun.structuredContent as { session_handle: string }).session_handle)
      const lookup = (c: Client) =>
        checked(
          c.callTool({
            name: 'domain_lookup_customer',
            arguments: { session, customer_email: 'maya.okafor@example.com' },
          }),
        )
      const noop = (c: Client) => checked(c.callTool({ name: 'noop', arguments: {} }))
      // One stdio connection, 20 calls in flight at a time.
      const many = (client: Client) => Array.from({ length: CLIENTS }, () => client)
      await load(many(fte.client), 5, lookup, [])
      const fteRun = await load(many(fte.client), CALLS_PER_CLIENT, lookup, [])
      await load(many(bareStdio.client), 5, noop, [])
      const bareRun = await load(many(bareStdio.client), CALLS_PER_CLIENT, noop, [])
      report(
        `  stdio: gateway ${Math.round(fteRun.perSecond)} calls/s, bare ${Math.round(bareRun.perSecond)} calls/s`,
      )
      out.results.push(
        compare(
          'domain_lookup_customer over stdio (fte mcp, embedded database), 20 in flight',
          'ops/s',
          fteRun.perSecond,
          'bare SDK server over stdio, no-op tool',
          bareRun.perSecond,
          `${notes(fteRun)} (bare: ${notes(bareRun)})`,
        ),
      )
    } finally {
      await fte.client.close()
      await bareStdio.client.close()
    }
  } finally {
    bare.close()
    await rm(dir, { recursive: true, force: true })
  }
  return out
}
