import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { supportPack } from '../domains/support/index.ts'
import type { Worker } from '../src/agent/worker.ts'
import { migrationSources } from '../src/pack/domain-pack.ts'
import type { Database } from '../src/store/database.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { openPglite } from '../src/store/pglite-database.ts'
import { serveGatewayOverHttp } from '../test/support/gateway-http.ts'
import { MAYA, supportDatabase } from '../test/support/support-scenario.ts'
import { chatClientThread, concurrently, type Timing } from './lib/chat-client-thread.ts'
import { median } from './lib/measure.ts'
import { modelThread } from './lib/model-thread.ts'
import { onDemoPostgres } from './lib/postgres.ts'
import { type BenchOutcome, type BenchResult, compare } from './lib/result.ts'

const WARMUP = 10
const TURNS = 100
const CONCURRENT = 50
const MESSAGE = 'What happened to order #4429?'

type ChatClient = ReturnType<typeof chatClientThread>

/** The same turn straight on the Worker: its events as the API receives them. */
async function direct(worker: Worker): Promise<Timing> {
  const started = performance.now()
  let first = 0
  let ok = false
  let failed = false
  for await (const event of worker.send({ message: MESSAGE, identity: MAYA })) {
    if (first === 0) first = performance.now() - started
    if (event.type === 'error') failed = true
    if (event.type === 'turn_ended') ok = event.status === 'completed'
  }
  return { first, done: performance.now() - started, ok: ok && !failed }
}

/** `TURNS` turns each way and as many round trips, interleaved so all see the same machine. */
async function sequential(client: ChatClient, worker: Worker) {
  const api: Timing[] = []
  const straight: Timing[] = []
  const trips: number[] = []
  for (let i = 0; i < WARMUP + TURNS; i++) {
    const viaApi = await client.turn()
    const viaWorker = await direct(worker)
    const trip = await client.trip()
    if (!viaApi.ok || !viaWorker.ok) throw new Error(`benchmark turn ${i} did not complete`)
    if (i < WARMUP) continue
    api.push(viaApi)
    straight.push(viaWorker)
    trips.push(trip)
  }
  const of = (timings: Timing[], key: 'first' | 'done') => median(timings.map((t) => t[key]))
  return {
    apiFirst: of(api, 'first'),
    apiDone: of(api, 'done'),
    directFirst: of(straight, 'first'),
    directDone: of(straight, 'done'),
    roundTrip: median(trips),
  }
}

async function chatFigures(
  db: Database,
  where: string,
  modelUrl: string,
  report: (line: string) => void,
): Promise<BenchResult[]> {
  const keys = await mkdtemp(join(tmpdir(), 'fte-bench-chat-'))
  const served = await serveGatewayOverHttp(db, keys, {
    pack: supportPack,
    person: MAYA.sub,
    chat: { model: { url: modelUrl }, rateLimit: { perMinute: 100_000, burst: 1000 } },
  })
  try {
    const worker = served.worker
    if (worker === undefined) throw new Error('the chat API has no Worker')
    const client = chatClientThread(served.url, await served.apiToken(), MESSAGE)
    const figures = await sequential(client, worker)
    const api = await client.concurrent(CONCURRENT)
    await client.stop()
    const straight = await concurrently(CONCURRENT, () => direct(worker))
    report(
      `  ${where}: first event ${figures.apiFirst.toFixed(2)} ms (direct ${figures.directFirst.toFixed(2)}, GET /api/me ${figures.roundTrip.toFixed(2)}), [DONE] ${figures.apiDone.toFixed(2)} ms (direct ${figures.directDone.toFixed(2)}); ${CONCURRENT} at once: ${api.wall.toFixed(0)} ms, ${api.failed} failed (direct ${straight.wall.toFixed(0)} ms, ${straight.failed} failed)`,
    )
    if (api.failed > 0) {
      throw new Error(`${api.failed} of ${CONCURRENT} concurrent chat streams failed`)
    }
    const turn = '2 model calls + 1 gateway call, zero-latency model'
    return [
      compare(
        `chat API time to first SSE event on ${where}`,
        'ms',
        figures.apiFirst,
        'an authenticated round trip on the same server (GET /api/me)',
        figures.roundTrip,
        `median of ${TURNS}; the Worker's own first event comes ${figures.directFirst.toFixed(2)} ms ` +
          'into a direct turn, so the rest is HTTP, the bearer check, the rate limit and SSE',
      ),
      compare(
        `chat API time to [DONE] on ${where}`,
        'ms',
        figures.apiDone,
        'the same turn on the Worker directly: its end',
        figures.directDone,
        `median of ${TURNS}; ${(figures.apiDone - figures.directDone).toFixed(2)} ms more per turn; ${turn}`,
      ),
      compare(
        `${CONCURRENT} chat streams at once on ${where} (wall time to the last [DONE])`,
        'ms',
        api.wall,
        `${CONCURRENT} turns at once on the Worker directly`,
        straight.wall,
        `${CONCURRENT - api.failed} of ${CONCURRENT} completed, no errors`,
      ),
    ]
  } finally {
    await served.close()
    await rm(keys, { recursive: true, force: true })
  }
}

/**
 * What the chat API adds to a turn: the time to the first SSE event and to `[DONE]` over loopback
 * HTTP (bearer check, rate limit, SSE framing and parsing), against the same Worker's turn run
 * directly, interleaved; and 50 streams at once, all of which must complete.
 */
export async function benchChatApi(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const thread = await modelThread()
  const db = await openPglite()
  try {
    const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
    if (migrated.error) throw migrated.error
    await supportDatabase(db)
    out.results.push(...(await chatFigures(db, 'the embedded database', thread.url, report)))
    await onDemoPostgres(env, out, 'chat API on PostgreSQL', async (pg, where) => {
      out.results.push(...(await chatFigures(pg, where, thread.url, report)))
    })
    return out
  } finally {
    await db.close()
    await thread.stop()
  }
}
