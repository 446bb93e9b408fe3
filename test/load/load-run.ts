import type { ProtocolEra } from '@modelcontextprotocol/client'
import type { Database } from '../../src/store/database.ts'
import type { ScriptedOpenAiServer } from '../support/scripted-openai-server.ts'
import type { FteProcess } from './fte-process.ts'
import type { ConfirmedWrites } from './invariants.ts'
import { type CallRecord, LoadSession, type StatusCounter } from './load-client.ts'
import type { LoadPostgres } from './load-postgres.ts'

/** Everything a phase of the load suite works with. */
export interface LoadRun {
  replicas: FteProcess[]
  /** Each replica's `/mcp`, in the order of `replicas`. */
  mcpUrls: string[]
  /** Each replica's own address (for `/api` and `/healthz`). */
  baseUrls: string[]
  pg: LoadPostgres
  /** The suite's own connection, for its fixture and its checks. */
  db: Database
  model: ScriptedOpenAiServer
  /** A token for `/mcp` (every replica: they share PUBLIC_URL) for a customer subject. */
  token(sub: string): Promise<string>
  /** A token for `/api`. */
  apiToken(sub: string): Promise<string>
  statuses: StatusCounter
  /** Milliseconds since the run started. */
  clock(): number
  /** Every write a client has been told succeeded, across phases. */
  confirmed: ConfirmedWrites
  /** The configured per-identity budget of the replicas. */
  rate: { perMinute: number; burst: number }
}

export interface PhaseResult {
  name: string
  /** Figures for the report, in order. */
  figures: Array<[string, string]>
  violations: string[]
}

export async function openSession(
  run: LoadRun,
  sub: string,
  era: ProtocolEra = 'legacy',
): Promise<LoadSession> {
  return new LoadSession(run.mcpUrls, await run.token(sub), run.statuses, run.clock, era)
}

/** What a refund answer adds to the confirmed writes. */
export function confirmRefund(run: LoadRun, sub: string, key: string, record: CallRecord): void {
  if (record.outcome === 'ok' && record.data?.status === 'issued') {
    const id = String(record.data.refund_id)
    if (!run.confirmed.refunds.some((r) => r.id === id)) {
      run.confirmed.refunds.push({ id, key: `${sub}:${key}` })
    }
  }
}

/**
 * Calls until an answer arrives (a tool result that is not "unavailable"), alternating replicas as
 * a client behind a load balancer would, for at most `limitMs`. The retry of a refund keeps its
 * idempotency key: whatever happened to the first attempt, it is carried out once.
 */
export async function callUntilAnswered(
  session: LoadSession,
  first: number,
  tool: string,
  args: Record<string, unknown>,
  limitMs: number,
  seen: CallRecord[],
): Promise<CallRecord> {
  const deadline = Date.now() + limitMs
  for (let attempt = 0; ; attempt++) {
    const record = await session.call((first + attempt) % 2, tool, args)
    seen.push(record)
    const unavailable = record.outcome === 'failed' || isUnavailable(record)
    if (!unavailable || Date.now() > deadline) return record
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt)))
  }
}

/** The gateway's fail-closed answer: the system of record could not be reached. */
export function isUnavailable(record: CallRecord): boolean {
  return record.outcome === 'tool_error' && /unavailable|timed out/i.test(record.error ?? '')
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
