import { Agent, type MCPServer, type OutputGuardrail } from '@openai/agents'
import type { SkillRuntime } from '../skills/skill-runtime.ts'
import type { Begun } from './gateway-session.ts'
import { type AgentTool, type GatewayCall, gatewayTools } from './gateway-tools.ts'
import { buildInstructions } from './instructions.ts'
import type { WorkerModel } from './model-factory.ts'
import { skillTools } from './skill-tools.ts'
import type { TurnState, Turns, WorkerRunContext } from './worker-context.ts'

export interface AgentOptions {
  model: WorkerModel
  skills: SkillRuntime | undefined
  approval: ReadonlySet<string>
  parallelToolCalls: boolean
  toolTimeoutMs: number
  turns: Turns
  recordCall(turn: TurnState, call: GatewayCall): Promise<void>
}

/**
 * The output guardrail: a reply may name only the ids and amounts this turn's tool results (or the
 * user's message) contain, and say it did only what this turn's successful calls did.
 */
function grounding(turns: Turns): OutputGuardrail {
  return {
    name: 'grounding',
    async execute({ agentOutput, context }) {
      const verdict = turns.of(context.context).check(String(agentOutput))
      return {
        tripwireTriggered: !verdict.ok,
        outputInfo: { ungrounded: verdict.ungrounded, unbacked: verdict.unbacked },
      }
    },
  }
}

/**
 * The Worker's agent for a gateway connection: instructions from the session's persona and rules,
 * the scaffold and the skills catalog; the gateway's tools and the skill tools. Built once per
 * connection and rules, reused every turn.
 */
export function agentFactory(
  options: AgentOptions,
): (begun: Begun) => Promise<Agent<WorkerRunContext>> {
  // The SDK's tool types are invariant in their context; WorkerRunContext is a SkillToolContext.
  const skillToolList = (options.skills === undefined
    ? []
    : skillTools(options.skills)) as unknown as AgentTool[]
  const catalog = options.skills?.catalog() ?? ''
  const guardrail = grounding(options.turns)
  const toolsByServer = new WeakMap<MCPServer, Promise<AgentTool[]>>()
  const agents = new WeakMap<MCPServer, Map<string, Promise<Agent<WorkerRunContext>>>>()

  const build = async (begun: Begun): Promise<Agent<WorkerRunContext>> => {
    let tools = toolsByServer.get(begun.server)
    if (tools === undefined) {
      const envelope = begun.envelope
      tools = gatewayTools(begun.server, {
        // A job asks no approval for a tool outside its envelope: the gateway refuses the call,
        // and the job stops there. Inside it, approval tools still wait for a person.
        approval:
          envelope === undefined
            ? options.approval
            : new Set([...options.approval].filter((name) => envelope.includes(name))),
        timeoutMs: options.toolTimeoutMs,
        turns: options.turns,
        record: options.recordCall,
      })
      toolsByServer.set(begun.server, tools)
      tools.catch(() => toolsByServer.delete(begun.server))
    }
    return new Agent<WorkerRunContext>({
      name: 'digital-fte',
      instructions: buildInstructions({ persona: begun.persona, rules: begun.rules, catalog }),
      model: options.model.model,
      modelSettings: { parallelToolCalls: options.parallelToolCalls },
      tools: [...(await tools), ...skillToolList],
      outputGuardrails: [guardrail],
    })
  }

  return (begun) => {
    let byRules = agents.get(begun.server)
    if (byRules === undefined) {
      byRules = new Map()
      agents.set(begun.server, byRules)
    }
    const key = `${begun.persona}\u0000${begun.rules}`
    let agent = byRules.get(key)
    if (agent === undefined) {
      agent = build(begun)
      byRules.set(key, agent)
      const current = byRules
      agent.catch(() => current.delete(key))
    }
    return agent
  }
}
