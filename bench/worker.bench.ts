import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Agent, Runner, tool } from '@openai/agents'
import { z } from 'zod'
import { supportPack } from '../domains/support/index.ts'
import { inProcessAccess } from '../src/agent/gateway-access.ts'
import { createModel } from '../src/agent/model-factory.ts'
import { parseConfig } from '../src/config/config.ts'
import { countTokens } from '../src/embedding/tokenizer.ts'
import { packageRoot } from '../src/lib/package-root.ts'
import { migrationSources } from '../src/pack/domain-pack.ts'
import { discoverSkills } from '../src/skills/discover-skills.ts'
import { parseSkillMarkdown } from '../src/skills/skill-md.ts'
import type { Database } from '../src/store/database.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { openPglite } from '../src/store/pglite-database.ts'
import { testGateway } from '../test/support/gateway-client.ts'
import { reply, scriptedModel } from '../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../test/support/scripted-openai-server.ts'
import { MAYA, supportDatabase } from '../test/support/support-scenario.ts'
import { collect, testWorker } from '../test/support/worker-fixture.ts'
import { median } from './lib/measure.ts'
import { modelThread } from './lib/model-thread.ts'
import { onDemoPostgres } from './lib/postgres.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const WARMUP = 10
const TURNS = 100

/** One turn's script: look the order up, then answer from what came back. */
function enqueueTurn(model: ScriptedOpenAiServer): void {
  model.enqueue(
    reply({ toolCalls: [{ name: 'domain_lookup_order', arguments: { order: '4429' } }] }),
    reply({ text: 'Order #4429 is refunded.' }),
  )
}

/** What the model is given on every call: the system message and the tool schemas, in tokens. */
function contextTokens(body: unknown): number {
  const request = body as { messages?: Array<{ role: string; content: unknown }>; tools?: unknown }
  const system = (request.messages ?? [])
    .filter((m) => m.role === 'system')
    .map((m) => String(m.content))
    .join('\n')
  return countTokens(system) + countTokens(JSON.stringify(request.tools ?? []))
}

/** The same database, adding the time of every statement and transaction to `clock.ms`. */
function timed(db: Database, clock: { ms: number; statements: number }): Database {
  const time = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      return await work()
    } finally {
      clock.ms += performance.now() - started
      clock.statements++
    }
  }
  return {
    kind: db.kind,
    description: db.description,
    query: (sql, params) => time(() => db.query(sql, params)),
    exec: (sql) => time(() => db.exec(sql)),
    transaction: (work, options) => time(() => db.transaction(work, options)),
    pool: (options) => timed(db.pool(options), clock),
    listen: (channel, on) => db.listen(channel, on),
    close: () => db.close(),
  }
}

interface TurnFigures {
  /** Median whole turn, ms. */
  whole: number
  /** Median turn minus the database time inside the gateway's tools, ms. */
  overhead: number
  /** Median time of the Worker's own statements, ms. */
  own: number
  statements: number
}

/**
 * Turns of the Worker on `db` against the model at `modelUrl`: each a new conversation, two model
 * calls and one gateway call (in-process MCP), timed whole and without the gateway's database time.
 */
async function workerTurns(db: Database, modelUrl: string): Promise<TurnFigures> {
  const inTools = { ms: 0, statements: 0 }
  const ownTime = { ms: 0, statements: 0 }
  const worker = await testWorker(
    timed(db, ownTime),
    { url: modelUrl },
    {
      pack: supportPack,
      gateway: inProcessAccess(await testGateway(timed(db, inTools), { pack: supportPack }), MAYA),
    },
  )
  try {
    const overhead: number[] = []
    const whole: number[] = []
    const own: number[] = []
    let statements = 0
    for (let i = 0; i < WARMUP + TURNS; i++) {
      inTools.ms = 0
      ownTime.ms = 0
      ownTime.statements = 0
      const started = performance.now()
      const events = await collect(worker.send({ message: 'What happened to order #4429?' }))
      const ms = performance.now() - started
      const last = events.at(-1)
      if (last?.type !== 'turn_ended' || last.status !== 'completed') {
        throw new Error(`a benchmark turn did not complete: ${JSON.stringify(events.slice(-3))}`)
      }
      if (i < WARMUP) continue
      whole.push(ms)
      overhead.push(ms - inTools.ms)
      own.push(ownTime.ms)
      statements = ownTime.statements
    }
    return { whole: median(whole), overhead: median(overhead), own: median(own), statements }
  } finally {
    await worker.close()
  }
}

/** The anchor: the bare Agents SDK, the same two model calls, a tool that does nothing. */
async function bareSdkTurn(modelUrl: string): Promise<number> {
  const llm = parseConfig(
    { LLM_BASE_URL: modelUrl, LLM_MODEL: 'gpt-4o-mini', LLM_API: 'chat' },
    { cwd: packageRoot() },
  ).llm
  const bare = new Agent({
    name: 'bare',
    instructions: 'Answer about orders.',
    model: createModel(llm).model,
    tools: [
      tool({
        name: 'domain_lookup_order',
        description: 'looks an order up',
        parameters: z.object({ order: z.string() }),
        execute: () => 'Order #4429: refunded.',
      }),
    ],
  })
  const runner = new Runner({ tracingDisabled: true })
  const sdk: number[] = []
  for (let i = 0; i < WARMUP + TURNS; i++) {
    const started = performance.now()
    const result = await runner.run(bare, 'What happened to order #4429?', { stream: true })
    for await (const _ of result) {
      // drained, as the Worker drains its stream
    }
    await result.completed
    if (i >= WARMUP) sdk.push(performance.now() - started)
  }
  return median(sdk)
}

function overheadResult(where: string, figures: TurnFigures, sdk: number) {
  return compare(
    `Worker turn overhead on ${where} (2 model calls + 1 gateway call, minus database time inside tools)`,
    'ms',
    figures.overhead,
    'the bare Agents SDK: same 2 model calls, a no-op tool, no memory or audit',
    sdk,
    `median of ${TURNS}; whole turn ${figures.whole.toFixed(1)} ms; ` +
      `${(figures.overhead - sdk).toFixed(1)} ms more than the bare SDK. Includes the MCP round ` +
      `trips, tracing, and the Worker's own ${figures.statements} statements ` +
      `(${figures.own.toFixed(1)} ms: session memory, audit rows, trace spans)`,
  )
}

/**
 * The Worker's own cost per turn with a zero-latency scripted model (in a thread of its own): a
 * turn of two model calls and one gateway call, minus the database time the gateway spent inside
 * its tools, on the embedded database and on PostgreSQL; against the bare Agents SDK running the
 * same two model calls with a tool that does nothing. And the context every model call carries
 * (instructions + tool schemas + skills catalog), against the same agent without skills and with
 * every skill body inlined instead of the catalog.
 */
export async function benchWorker(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const thread = await modelThread()
  const db = await openPglite()
  const model = await scriptedModel().start()
  try {
    const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
    if (migrated.error) throw migrated.error
    await supportDatabase(db)
    const embedded = await workerTurns(db, thread.url)
    const sdk = await bareSdkTurn(thread.url)
    report(
      `  embedded database: turn ${embedded.whole.toFixed(2)} ms, without gateway database time ${embedded.overhead.toFixed(2)} ms (the Worker's own ${embedded.statements} statements ${embedded.own.toFixed(2)} ms); bare SDK ${sdk.toFixed(2)} ms`,
    )
    out.results.push(overheadResult('the embedded database', embedded, sdk))

    await onDemoPostgres(env, out, 'Worker turn overhead on PostgreSQL', async (pg, where) => {
      const figures = await workerTurns(pg, thread.url)
      report(
        `  PostgreSQL: turn ${figures.whole.toFixed(2)} ms, without gateway database time ${figures.overhead.toFixed(2)} ms (the Worker's own ${figures.statements} statements ${figures.own.toFixed(2)} ms)`,
      )
      out.results.push(overheadResult(where, figures, sdk))
    })

    const skilled = await testWorker(db, model, { pack: supportPack, identity: MAYA })
    const asked = model.requests.length
    enqueueTurn(model)
    await collect(skilled.send({ message: 'What happened to order #4429?' }))
    const withSkills = contextTokens(model.requests[asked]?.body)
    await skilled.close()
    const plain = await testWorker(db, model, {
      pack: supportPack,
      identity: MAYA,
      skills: false,
    })
    const unskilled = model.requests.length
    enqueueTurn(model)
    await collect(plain.send({ message: 'What happened to order #4429?' }))
    const withoutSkills = contextTokens(model.requests[unskilled]?.body)
    await plain.close()
    const library = await discoverSkills([
      { dir: join(packageRoot(), '.claude', 'skills'), level: 'project' },
    ])
    let bodies = 0
    for (const skill of library.skills) {
      bodies += countTokens(parseSkillMarkdown(await readFile(skill.file, 'utf8')).body)
    }
    report(
      `  context per model call: ${withSkills} tokens; without skills ${withoutSkills}; bodies inlined ${withoutSkills + bodies}`,
    )
    out.results.push(
      compare(
        `context per model call with the skills catalog (${library.skills.length} skills)`,
        'tokens',
        withSkills,
        'the same agent without skills (no catalog, no skill tools)',
        withoutSkills,
        'system message + tool schemas as sent, cl100k_base',
      ),
      compare(
        'context per model call with the skills catalog',
        'tokens',
        withSkills,
        'the same agent with every skill body inlined in its instructions',
        withoutSkills + bodies,
        'progressive disclosure: bodies load only when a skill is activated',
      ),
    )
    return out
  } finally {
    await model.stop()
    await db.close()
    await thread.stop()
  }
}
