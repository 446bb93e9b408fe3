import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadDemoData } from '../../domains/support/demo/load-demo-data.ts'
import { supportPack } from '../../domains/support/index.ts'
import { type GatewayAccess, inProcessAccess } from '../../src/agent/gateway-access.ts'
import { createModel } from '../../src/agent/model-factory.ts'
import { createWorker, type Worker, type WorkerOptions } from '../../src/agent/worker.ts'
import type { WorkerEvent } from '../../src/agent/worker-events.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { parseConfig } from '../../src/config/config.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import { discoverSkills } from '../../src/skills/discover-skills.ts'
import { SkillRuntime } from '../../src/skills/skill-runtime.ts'
import type { Database } from '../../src/store/database.ts'
import { MAYA, testGateway } from './gateway-client.ts'
import { reply } from './scripted-model.ts'
import type { RecordedRequest, ScriptedOpenAiServer } from './scripted-openai-server.ts'

export interface WorkerFixtureOptions {
  api?: 'chat' | 'responses'
  identity?: Identity
  gateway?: GatewayAccess
  settings?: Partial<WorkerOptions['settings']>
  approvalTools?: readonly string[]
  /** false: no skills (no catalog, no skill tools). */
  skills?: boolean
}

/**
 * A Worker as `fte serve` builds one: the support pack's gateway in-process on `db`, the shipped
 * skills, and a model from the factory pointed at a scripted OpenAI-compatible server.
 */
export async function testWorker(
  db: Database,
  model: Pick<ScriptedOpenAiServer, 'url'>,
  options: WorkerFixtureOptions = {},
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
  const gateway =
    options.gateway ?? inProcessAccess(await testGateway(db), options.identity ?? MAYA)
  const skills = new SkillRuntime({
    library: await discoverSkills([
      { dir: join(packageRoot(), '.claude', 'skills'), level: 'project' },
    ]),
    db,
    actor: 'worker:support',
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
    approvalTools: options.approvalTools ?? supportPack.gateway?.approvalTools ?? [],
    logger: createLogger({ level: 'silent' }),
  })
}

export async function supportDatabase(db: Database): Promise<Database> {
  await loadDemoData(db)
  return db
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

export const QUESTION = "I haven't received my refund from order #4429, it's been two weeks."

/** The #4429 scenario, as a model would play it, each step reading what the last one returned. */
export function scriptScenario(model: ScriptedOpenAiServer): void {
  model.enqueue(
    reply({ toolCalls: [{ name: 'activate_skill', arguments: { name: 'find-similar-cases' } }] }),
    reply({ toolCalls: [{ name: 'domain_lookup_order', arguments: { order: '4429' } }] }),
    reply({
      toolCalls: [
        {
          name: 'domain_find_similar_cases',
          arguments: { description: 'refund issued two weeks ago has not arrived' },
        },
      ],
    }),
    reply((request) => {
      const dollars = /Order #4429: \$([\d.]+)/.exec(toolResultsIn(request).join())?.[1] ?? '0'
      return {
        toolCalls: [
          {
            name: 'domain_issue_refund',
            arguments: {
              order: '4429',
              amount_cents: Math.round(Number(dollars) * 100),
              reason: 'refund not received after two weeks',
              idempotency_key: 'scenario-4429-refund',
            },
          },
        ],
      }
    }),
    reply({ toolCalls: [{ name: 'domain_list_tickets', arguments: {} }] }),
    reply((request) => {
      // The ticket about #4429 in the listing just returned (the skill's examples name others).
      const listing = toolResultsIn(request).at(-1) ?? ''
      const ticket = /(T-\d+)[^\n]*#4429/.exec(listing)?.[1] ?? 'T-0'
      return {
        toolCalls: [
          {
            name: 'domain_escalate_ticket',
            arguments: { ticket, reason: 'refund issued but not received after two weeks' },
          },
        ],
      }
    }),
    reply((request) => {
      const results = toolResultsIn(request)
      const ticket = /(T-\d+)[^\n]*#4429/.exec(results.at(-2) ?? '')?.[1]
      const amount = /Order #4429: (\$[\d.]+)/.exec(results.join())?.[1]
      if (/rejected/.test(results.at(-1) ?? '')) {
        return {
          text: `Your refund of ${amount} for order #4429 was already issued. The escalation of ticket ${ticket} was declined, so I have not escalated it.`,
        }
      }
      return {
        text: `Your refund of ${amount} for order #4429 was issued, so it cannot be paid twice. I have escalated ticket ${ticket} to billing to trace it.`,
      }
    }),
  )
}
