import type { InvocationRecorder } from '../../audit/audited.ts'
import type { Refusal } from '../../audit/refused-calls.ts'
import type { Search } from '../../embedding/search.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Database } from '../../store/database.ts'
import type { RateDecision, RateLimit } from '../../store/rate-limiter.ts'
import type { SessionHandles } from '../session-handle.ts'
import type { InFlight } from './in-flight.ts'

/** What a tool call needs of the gateway once its database is open. */
export interface GatewayDeps {
  db: Database
  /** For read-only tools: read-only statements cancelled at the tool time limit. */
  reads: Database
  /** False when `reads` cannot limit a statement on its own: every read then gets a transaction. */
  readStatements: boolean
  /** Group commit for the invocations of reads and refused calls (no business write beside them). */
  recorder: InvocationRecorder
  /** Issues and verifies this gateway's session handles. */
  sessions: SessionHandles
  sessionTtlSeconds: number
  toolTimeoutMs: number
  /** How long a person has to answer the gateway's question before it counts as a no. */
  consentTimeoutMs: number
  maxConcurrentPerIdentity: number
  /** The calls running now, per identity, in this gateway. */
  inFlight: InFlight
  /** Counts a call turned away before it was accepted (see `turnAway`). */
  refusals: (refusal: Refusal) => Promise<void>
  /** The per-identity call budget, kept in Postgres so that every replica shares it. */
  rateLimit: (RateLimit & { take: (key: string) => Promise<RateDecision> }) | undefined
  logger: Logger
  /** Lent to every tool call in its context. */
  search: Search
}
