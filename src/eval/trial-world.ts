import { randomUUID } from 'node:crypto'
import { type GatewayAccess, inProcessAccess } from '../agent/gateway-access.ts'
import { beginSession } from '../agent/gateway-session.ts'
import { buildGateway } from '../app/build-gateway.ts'
import type { Runtime } from '../app/runtime.ts'
import type { Identity } from '../auth/identity.ts'
import { scopesFor } from '../auth/scopes.ts'
import { embedPendingDocuments } from '../embedding/document-indexer.ts'
import type { Embedder } from '../embedding/embedder.ts'
import type { Gateway } from '../gateway/gateway.ts'
import { InvalidInputError } from '../lib/errors.ts'
import { staffRequests } from '../memory/staff-requests.ts'
import { consentTools, packScopes } from '../pack/domain-pack.ts'
import { type ApprovalSummary, approvalSummarySchema } from '../protocol/approval-summary.ts'
import { META } from '../protocol/gateway-wire.ts'
import type { Database, Queryable } from '../store/database.ts'
import type { Fixture, LoadedScenario } from './scenario.ts'
import type { TrialDatabases } from './trial-databases.ts'

/** Who staff are in a trial when the pack names no demo staff member. */
const EVAL_STAFF = 'eval|staff'

/** Where the trial's own rows begin: what the grader reads is what the trial wrote. */
export interface TrialStart {
  auditId: number
  at: Date
}

/** One trial's world: its own copy of the database, the gateway over it, and who takes part. */
export interface TrialWorld {
  db: Database
  gateway: Gateway
  access: GatewayAccess
  user: Identity
  staff: Identity
  /** Tools whose calls the gateway confirms with the person first (`consent: 'server'`). */
  asksConsent: ReadonlySet<string>
  start: TrialStart
  close(): Promise<void>
}

/** A fresh copy, the scenario's fixtures added, and the gateway over it. */
export async function openTrialWorld(
  runtime: Runtime,
  databases: TrialDatabases,
  embedder: Embedder,
  scenario: LoadedScenario,
): Promise<TrialWorld> {
  const db = await databases.copy()
  try {
    await db.transaction(async (tx) => {
      for (const [index, fixture] of scenario.fixtures.entries()) {
        await addFixture(tx, fixture).catch((error: unknown) => {
          throw new InvalidInputError(
            `${scenario.file}: scenario ${scenario.id}: fixture ${index + 1} failed: ${(error as Error).message}`,
            { cause: error },
          )
        })
      }
    })
    // Documents the fixtures added are searchable as the demo's are.
    if (scenario.fixtures.length > 0) await embedPendingDocuments(db, embedder)
    const gateway = await buildGateway(runtime, db, embedder)
    // What opening the gateway writes (its session key) is setup, not the trial's.
    await gateway.ready
    const start = await startOf(db)
    const access = inProcessAccess(gateway)
    const { pack } = runtime
    const scopes = packScopes(pack)
    const role = scenario.user.role
    const user: Identity = {
      sub: scenario.user.sub ?? pack.demoPeople?.[role] ?? `eval|${role}`,
      role,
      scopes: scopesFor(role, scopes),
      ...(scenario.user.email === undefined ? {} : { email: scenario.user.email }),
      ...(scenario.user.name === undefined ? {} : { name: scenario.user.name }),
    }
    const staff: Identity = {
      sub: pack.demoPeople?.staff ?? EVAL_STAFF,
      role: 'staff',
      scopes: scopesFor('staff', scopes),
    }
    return {
      db,
      gateway,
      access,
      user,
      staff,
      asksConsent: new Set(consentTools(pack, 'server')),
      start,
      async close() {
        await access.close().catch(() => {})
        await db.close()
      },
    }
  } catch (error) {
    await db.close().catch(() => {})
    throw error
  }
}

async function addFixture(tx: Queryable, fixture: Fixture): Promise<void> {
  if ('sql' in fixture) {
    await tx.exec(fixture.sql)
    return
  }
  for (const row of fixture.rows) {
    const columns = Object.keys(row)
    const values = columns.map((c) => {
      const value = row[c]
      return value !== null && typeof value === 'object' && !(value instanceof Date)
        ? JSON.stringify(value)
        : value
    })
    await tx.query(
      `INSERT INTO ${fixture.table} (${columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ')})
       VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    )
  }
}

async function startOf(db: Queryable): Promise<TrialStart> {
  const { rows } = await db.query<{ id: number; at: Date }>(
    'SELECT coalesce(max(id), 0)::int8 AS id, clock_timestamp() AS at FROM audit_log',
  )
  const row = rows[0]
  if (row === undefined) throw new Error('no audit baseline')
  return { auditId: row.id, at: row.at }
}

/**
 * Staff's decision on the oldest request put to them that still waits, through the gateway as
 * the staff console makes it. Undefined when none waits.
 */
export async function decideOldestRequest(
  world: TrialWorld,
  decision: { decide: 'approved' | 'rejected'; reason?: string | undefined },
  signal?: AbortSignal,
): Promise<{ requestId: string; outcome: string } | undefined> {
  const [waiting] = await staffRequests.pending(world.db, 1)
  if (waiting === undefined) return undefined
  const decided = await world.gateway.decide({
    requestId: waiting.id,
    decision: decision.decide,
    reason: decision.reason ?? `evaluation: staff ${decision.decide} it`,
    identity: world.staff,
    signal,
  })
  return { requestId: waiting.id, outcome: JSON.stringify(decided.outcome ?? null) }
}

/** A new conversation id for a trial's conversation. */
export const newConversation = (): string => randomUUID()

/** What the gateway answered a call: undefined when it could not be made at all. */
export interface CallAnswer {
  text: string
  structured: unknown
  refused: boolean
}

/**
 * One tool call through the gateway, as `identity`, in `conversationId` (a session begun for it,
 * as the Worker begins one): the way a reference action, or staff in a model trial, acts. A call
 * the gateway confirms first is previewed, and the person who makes it says yes to that summary,
 * as a Worker's consent card does.
 */
export async function callAs(
  world: TrialWorld,
  identity: Identity,
  conversationId: string,
  call: { tool: string; arguments: Record<string, unknown> },
  signal?: AbortSignal,
): Promise<CallAnswer | { failed: string }> {
  const timeoutMs = 30_000
  const begun = await beginSession(world.access, identity, conversationId, timeoutMs)
  if ('refused' in begun) return { failed: `begin_session was refused: ${begun.message}` }
  const limit = () => AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])])
  const args = { ...call.arguments, session: begun.handle }
  let consent: ApprovalSummary | undefined
  if (world.asksConsent.has(call.tool)) {
    const preview = await begun.server.callToolResult(
      call.tool,
      args,
      { [META.preview]: true },
      {
        signal: limit(),
      },
    )
    const summary = approvalSummarySchema.safeParse(preview.structuredContent)
    if (summary.success) consent = summary.data
  }
  const result = await begun.server.callToolResult(call.tool, args, null, {
    signal: limit(),
    consent,
  })
  const text = ((result.content ?? []) as Array<{ text?: string }>)
    .map((c) => c.text ?? '')
    .join('\n')
  return { text, structured: result.structuredContent, refused: result.isError === true }
}
