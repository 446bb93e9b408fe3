import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { type GatewayAccess, inProcessAccess } from '../../src/agent/gateway-access.ts'
import { createModel } from '../../src/agent/model-factory.ts'
import { createWorker, type Worker, type WorkerOptions } from '../../src/agent/worker.ts'
import type { WorkerEvent } from '../../src/agent/worker-events.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { parseConfig } from '../../src/config/config.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import { loadTimeline } from '../../src/memory/timeline.ts'
import { consentTools, type DomainPack } from '../../src/pack/domain-pack.ts'
import { discoverSkills } from '../../src/skills/discover-skills.ts'
import { SkillRuntime } from '../../src/skills/skill-runtime.ts'
import type { Database } from '../../src/store/database.ts'
import { testGateway } from './gateway-client.ts'
import type { RecordedRequest, ScriptedOpenAiServer } from './scripted-openai-server.ts'

export type WorkerFixtureOptions = {
  /** The pack the Worker serves: its approval tools and skills, and its gateway unless given. */
  pack: DomainPack
  api?: 'chat' | 'responses'
  settings?: Partial<WorkerOptions['settings']>
  /** The pack's approval tools unless given. */
  approvalTools?: readonly string[]
  /** false: no skills (no catalog, no skill tools). */
  skills?: boolean
  // Who the Worker acts for, through the pack's gateway in-process on `db`; or another access.
} & ({ identity: Identity } | { gateway: GatewayAccess })

/**
 * A Worker as `fte serve` builds one: the pack's gateway (in-process on `db`, unless another
 * access is given), the pack's skills, and a model from the factory pointed at a scripted
 * OpenAI-compatible server.
 */
export async function testWorker(
  db: Database,
  model: Pick<ScriptedOpenAiServer, 'url'>,
  options: WorkerFixtureOptions,
): Promise<Worker> {
  const llm = parseConfig(
    {
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: model.url,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_API: options.api ?? 'chat',
      LLM_MAX_RETRIES: '2',
    },
    { cwd: packageRoot() },
  ).llm
  const { pack } = options
  const gateway =
    'gateway' in options
      ? options.gateway
      : inProcessAccess(await testGateway(db, { pack }), options.identity)
  const skills = new SkillRuntime({
    library: await discoverSkills(
      pack.skillsDir === undefined ? [] : [{ dir: pack.skillsDir, level: 'pack' }],
    ),
    db,
    actor: `worker:${pack.name}`,
    maxResourceBytes: 64 * 1024,
    // Scripts are off: no workspace is ever made, but none may land in the repository either.
    workspaceRoot: join(tmpdir(), 'fte-worker-workspaces'),
    sandbox: undefined,
  })
  return createWorker({
    db,
    model: createModel(llm),
    gateway,
    skills: options.skills === false ? undefined : skills,
    settings: {
      maxTurns: 12,
      parallelToolCalls: false,
      toolTimeoutMs: 10_000,
      maxInputChars: 5000,
      ...options.settings,
    },
    approvalTools: options.approvalTools ?? consentTools(pack),
    actionClaims: pack.gateway?.actionClaims ?? [],
    logger: createLogger({ level: 'silent' }),
  })
}

export async function collect(events: AsyncIterable<WorkerEvent>): Promise<WorkerEvent[]> {
  const all: WorkerEvent[] = []
  for await (const event of events) all.push(event)
  return all
}

/** The tool results the model was sent, oldest first (for scripted decisions). */
export function toolResultsIn(request: RecordedRequest): string[] {
  const body = request.body as {
    messages?: Array<{ role: string; content: unknown }>
    input?: Array<{ type?: string; output?: unknown }>
  }
  const chat = (body.messages ?? []).filter((m) => m.role === 'tool').map((m) => String(m.content))
  const responses = (body.input ?? [])
    .filter((i) => i.type === 'function_call_output')
    .map((i) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)))
  return [...chat, ...responses]
}

/** The events of one type, typed as such. */
export function ofType<T extends WorkerEvent['type']>(events: WorkerEvent[], type: T) {
  return events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type)
}

/** A conversation's audit trail, in order: what, on what, by whom. */
export async function trail(db: Database, conversationId: string) {
  const { rows } = await db.query<{ action: string; target: string | null; actor: string }>(
    'SELECT action, target, actor FROM audit_log WHERE conversation_id = $1 ORDER BY id',
    [conversationId],
  )
  return rows
}

/**
 * What every completed turn leaves in the database, whatever the pack: its trace spans with a
 * tool call among them, the tokens its model calls used, and, in the replay, the user's message
 * right after the audit row that received it (the turn writes its messages as it ends), once.
 */
export async function expectTurnRecorded(db: Database, conversationId: string): Promise<void> {
  const { rows: spans } = await db.query<{ kind: string }>(
    'SELECT kind FROM agent_spans WHERE conversation_id = $1',
    [conversationId],
  )
  expect(spans.map((s) => s.kind)).toContain('function')
  const { rows: tokens } = await db.query<{ input: number }>(
    `SELECT sum(input_tokens)::int AS input FROM messages WHERE conversation_id = $1`,
    [conversationId],
  )
  expect(tokens[0]?.input).toBeGreaterThan(0)
  const { events } = await loadTimeline(db, conversationId)
  const received = events.findIndex((e) => e.kind === 'audit' && e.action === 'message_received')
  expect(events[received + 1]).toMatchObject({ kind: 'message', role: 'user' })
  expect(events.filter((e) => e.kind === 'message' && e.role === 'user')).toHaveLength(1)
}
