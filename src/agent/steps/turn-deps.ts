import type { Agent, Runner } from '@openai/agents'
import type { Identity } from '../../auth/identity.ts'
import type { WorkerConfig } from '../../config/sections/worker.ts'
import type { TurnEnding } from '../conclude-turn.ts'
import type { Begun, Refused } from '../gateway-session.ts'
import type { Turns, WorkerRunContext } from '../worker-context.ts'

/** What every step of a turn needs, built once per Worker. */
export interface TurnDeps extends TurnEnding {
  settings: Pick<WorkerConfig, 'maxTurns' | 'parallelToolCalls' | 'toolTimeoutMs' | 'maxInputChars'>
  /** This Worker's turns: a new one opened per run segment, found by its tools. */
  turns: Turns
  /** Connects to the gateway and begins its session for the conversation. */
  begin(identity: Identity | undefined, conversationId: string): Promise<Begun | Refused>
  /** The agent for a begun session: the gateway's tools over its connection, and the skills. */
  agentFor(begun: Begun): Promise<Agent<WorkerRunContext>>
  /** A runner for one run segment, its trace announced to the span recorder. */
  runnerFor(conversationId: string, traceId: string): Runner
}
