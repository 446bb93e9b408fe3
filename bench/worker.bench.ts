import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Agent, Runner, tool } from '@openai/agents'
import { z } from 'zod'
import { supportPack } from '../domains/support/index.ts'
import { inProcessAccess } from '../src/agent/gateway-access.ts'
import { createModel } from '../src/agent/model-factory.ts'
import type { Worker } from '../src/agent/worker.ts'
import { parseConfig } from '../src/config/config.ts'
import { migrationSources } from '../src/domain/domain-pack.ts'
import { countTokens } from '../src/embedding/tokenizer.ts'
import { packageRoot } from '../src/lib/package-root.ts'
import { discoverSkills } from '../src/skills/discover-skills.ts'
import { parseSkillMarkdown } from '../src/skills/skill-md.ts'
import type { Database } from '../src/store/database.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { openPglite } from '../src/store/pglite-database.ts'
import { MAYA, testGateway } from '../test/support/gateway-client.ts'
import { reply, scriptedModel } from '../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../test/support/scripted-openai-server.ts'
import { collect, supportDatabase, testWorker } from '../test/support/worker-fixture.ts'
import { median } from './lib/measure.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const WARMUP = 5
const TURNS = 40

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
    close: () => db.close(),
  }
}

/**
 * The Worker's own cost per turn, with a zero-latency scripted model: a turn of two model calls
 * and one gateway tool call, minus the database time the gateway spent inside its tools; against
 * the bare Agents SDK running the same two model calls with a tool that does nothing. And the
 * context every model call carries (instructions + tool schemas + skills catalog), against the
 * same agent without skills and with every skill body inlined instead of the catalog.
 */
export async function benchWorker(report: (line: string) => void): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const db = await openPglite()
  const model = await scriptedModel().start()
  try {
    const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
    if (migrated.error) throw migrated.error
    await supportDatabase(db)
    const inTools = { ms: 0, statements: 0 }
    const ownTime = { ms: 0, statements: 0 }
    const worker = await testWorker(timed(db, ownTime), model, {
      gateway: inProcessAccess(await testGateway(timed(db, inTools)), MAYA),
    })
    const turn = async (w: Worker) => {
      enqueueTurn(model)
      const started = performance.now()
      const events = await collect(w.send({ message: 'What happened to order #4429?' }))
      const ms = performance.now() - started
      const last = events.at(-1)
      if (last?.type !== 'turn_ended' || last.status !== 'completed') {
        throw new Error(`a benchmark turn did not complete: ${JSON.stringify(events.slice(-3))}`)
      }
      return { ms, conversationId: last.conversationId }
    }
    for (let i = 0; i < WARMUP; i++) await turn(worker)
    const overhead: number[] = []
    const whole: number[] = []
    const own: number[] = []
    let statements = 0
    for (let i = 0; i < TURNS; i++) {
      inTools.ms = 0
      ownTime.ms = 0
      ownTime.statements = 0
      const { ms } = await turn(worker)
      whole.push(ms)
      overhead.push(ms - inTools.ms)
      own.push(ownTime.ms)
      statements = ownTime.statements
    }

    const llm = parseConfig(
      { LLM_BASE_URL: model.url, LLM_MODEL: 'gpt-4o-mini', LLM_API: 'chat' },
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
      enqueueTurn(model)
      const started = performance.now()
      const result = await runner.run(bare, 'What happened to order #4429?', { stream: true })
      for await (const _ of result) {
        // drained, as the Worker drains its stream
      }
      await result.completed
      if (i >= WARMUP) sdk.push(performance.now() - started)
    }
    report(
      `  turn: ${median(whole).toFixed(2)} ms, without gateway database time ${median(overhead).toFixed(2)} ms (of which the Worker's own ${statements} statements ${median(own).toFixed(2)} ms); bare SDK ${median(sdk).toFixed(2)} ms`,
    )
    out.results.push(
      compare(
        'Worker turn overhead (2 model calls + 1 gateway call, minus database time inside tools)',
        'ms',
        median(overhead),
        'the bare Agents SDK: same 2 model calls, a no-op tool, no memory or audit',
        median(sdk),
        `median of ${TURNS}; whole turn ${median(whole).toFixed(1)} ms. Includes the MCP round ` +
          `trips and the Worker's own ${statements} statements (${median(own).toFixed(1)} ms: ` +
          'session memory, audit rows, trace spans) on the embedded database',
      ),
    )

    const skilled = model.requests.length
    enqueueTurn(model)
    await collect(worker.send({ message: 'What happened to order #4429?' }))
    const withSkills = contextTokens(model.requests[skilled]?.body)
    await worker.close()
    const plain = await testWorker(db, model, { skills: false })
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
  }
}
