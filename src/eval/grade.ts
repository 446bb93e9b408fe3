import { isDeepStrictEqual } from 'node:util'
import { actionsDone, type CallOutcome, claimsIn } from '../agent/claimed-actions.ts'
import type { JsonObject } from '../lib/json.ts'
import type { ActionClaim } from '../pack/action-claims.ts'
import type { Database, Queryable } from '../store/database.ts'
import { type RowAssertion, type Scenario, textPattern } from './scenario.ts'
import type { TrialStart } from './trial-world.ts'

export interface GradeInput {
  /** The trial's copy of the database, as the trial left it. */
  db: Database
  scenario: Pick<Scenario, 'expect'>
  /** What the Worker said to the user, every reply in order. */
  replies: readonly string[]
  start: TrialStart
  /** The pack's: a reply that says an action was done needs a call of the trial that did it. */
  actionClaims: readonly ActionClaim[]
}

/**
 * The grade of one trial: what failed, one line each (none: passed). The end state (the
 * scenario's queries on business rows), the audit trail the trial wrote, the facts the replies had
 * to say and must not, and every action a reply claims, checked against the database: a claim
 * passes only when a successful call the trial made (or a request staff approved) did it.
 */
export async function grade(input: GradeInput): Promise<string[]> {
  const { db, scenario, replies, start } = input
  const failures: string[] = []
  for (const assertion of scenario.expect.rows) {
    const failed = await checkRows(db, assertion)
    if (failed !== undefined) failures.push(failed)
  }

  // The trial's rows: numbered after the start, and written after it (a fixture may insert audit
  // rows of its own, with any id).
  const { rows: audited } = await db.query<{ action: string }>(
    'SELECT DISTINCT action FROM audit_log WHERE id > $1 AND created_at >= $2',
    [start.auditId, start.at],
  )
  const actions = new Set(audited.map((r) => r.action))
  for (const action of scenario.expect.audit.required) {
    if (!actions.has(action)) failures.push(`audit: no ${action} was recorded`)
  }
  for (const action of scenario.expect.audit.forbidden) {
    if (actions.has(action)) failures.push(`audit: ${action} was recorded, and must not be`)
  }

  const calls = await callsSince(db, start)
  const called = new Set(calls.filter((c) => c.status === 'ok').map((c) => c.tool))
  for (const tool of scenario.expect.calls.required) {
    if (!called.has(tool)) failures.push(`calls: ${tool} was never called successfully`)
  }
  const attempted = new Set(calls.map((c) => c.tool))
  for (const tool of scenario.expect.calls.forbidden) {
    if (attempted.has(tool)) failures.push(`calls: ${tool} was called, and must not be`)
  }

  const said = replies.join('\n\n')
  for (const fact of scenario.expect.facts) {
    if (!matches(said, fact)) failures.push(`facts: the replies never said ${fact}`)
  }
  for (const forbidden of scenario.expect.never) {
    const found = matchOf(said, forbidden)
    if (found !== undefined) failures.push(`never: a reply said ${JSON.stringify(found)}`)
  }

  if (input.actionClaims.length > 0) {
    const done = new Set(calls.flatMap((call) => actionsDone(call, input.actionClaims)))
    for (const reply of replies) {
      for (const claim of claimsIn(reply, input.actionClaims)) {
        if (!done.has(claim.action)) {
          failures.push(
            `claims: a reply says ${JSON.stringify(claim.said)} (${claim.action}), ` +
              'and no call of the trial did it',
          )
        }
      }
    }
  }
  return failures
}

const matches = (text: string, pattern: string) => textPattern(pattern).test(text)
const matchOf = (text: string, pattern: string) => textPattern(pattern).exec(text)?.[0]

async function checkRows(db: Database, assertion: RowAssertion): Promise<string | undefined> {
  let rows: Record<string, unknown>[] = []
  try {
    // Read-only, and rolled back: an assertion looks, it never changes what the next one sees.
    await db.transaction(
      async (tx) => {
        rows = (await tx.query(assertion.sql)).rows
        throw ROLLBACK
      },
      { readOnly: true },
    )
  } catch (error) {
    if (error !== ROLLBACK) {
      return `rows: ${assertion.name}: the query failed (${(error as Error).message})`
    }
  }
  if (assertion.count !== undefined) {
    return rows.length === assertion.count
      ? undefined
      : `rows: ${assertion.name}: ${rows.length} rows, expected ${assertion.count}`
  }
  const expected = assertion.equals ?? []
  const same =
    rows.length === expected.length &&
    expected.every((want, i) => {
      const got = rows[i] ?? {}
      return Object.entries(want).every(([column, value]) => sameValue(value, got[column]))
    })
  return same
    ? undefined
    : `rows: ${assertion.name}: got ${JSON.stringify(rows.map(plain))}, expected ${JSON.stringify(expected)}`
}

const ROLLBACK = Symbol('rollback')

/** How Postgres writes a `numeric` (which both drivers return as text): nothing looser. */
const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/

/**
 * Equal as the scenario means it: a number matches a `numeric` column's text of the same value,
 * times compare as ISO text, objects and arrays by their contents (not their keys' order).
 */
function sameValue(expected: unknown, actual: unknown): boolean {
  const got = plainValue(actual)
  if (typeof expected === 'number' && typeof got === 'string' && NUMERIC_TEXT.test(got)) {
    return Number(got) === expected
  }
  return isDeepStrictEqual(expected, got)
}

const plainValue = (value: unknown) => (value instanceof Date ? value.toISOString() : value)
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v)]))

/**
 * The calls the trial made, as a claim is backed: the gateway's own record of each tool call (one
 * it put to staff marked so), and the tool runs of requests staff approved.
 */
async function callsSince(db: Queryable, start: TrialStart): Promise<CallOutcome[]> {
  const { rows: calls } = await db.query<{
    capability: string
    status: string
    result: unknown
    routed: boolean
  }>(
    `SELECT ci.capability, ci.status, ci.result,
            EXISTS (SELECT 1 FROM audit_log a
                    WHERE a.invocation_id = ci.id AND a.action = 'staff_request_routed') AS routed
     FROM capability_invocations ci
     WHERE ci.created_at >= $1 AND ci.capability LIKE 'mcp:%' AND ci.capability NOT LIKE '%:preview'
       AND ci.actor LIKE 'gateway:%'`,
    [start.at],
  )
  const { rows: approved } = await db.query<{ tool: string; outcome: { data?: unknown } | null }>(
    `SELECT tool, outcome FROM staff_requests WHERE status = 'approved' AND decided_at >= $1`,
    [start.at],
  )
  const object = (value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined
  return [
    ...calls.map((call) => ({
      tool: call.capability.slice('mcp:'.length),
      status: call.status as CallOutcome['status'],
      structured: object(call.result),
      // Put to staff: waiting, not done (its approval, if any, is counted below).
      staffRequest: call.routed ? 'routed' : undefined,
    })),
    ...approved.map((request) => ({
      tool: request.tool,
      status: 'ok' as const,
      structured: object(request.outcome?.data),
      staffRequest: undefined,
    })),
  ]
}
