import type { AgentInputItem, RunContext, RunContextAwareSession } from '@openai/agents'
import { auditRowsStatement } from '../audit/audit-rows-statement.ts'
import type { AuditEntry } from '../audit/audit-writer.ts'
import type { Database, Queryable } from '../store/database.ts'
import type { MessageRole } from './conversations.ts'

/** A span as `agent_spans` keeps it. */
export interface SpanRow {
  trace_id: string
  span_id: string
  parent_id: string | null
  conversation_id: string | null
  kind: string
  name: string | null
  started_at: string | null
  ended_at: string | null
  error: unknown
  data: Record<string, unknown>
}

/** The most history items given back to the model per turn; older ones stay in the table. */
const DEFAULT_HISTORY_LIMIT = 200

/** A message row waiting to be written. */
interface HeldItem {
  /** Its position, when one was drawn before the turn ended (the user's message). */
  seq: number | null
  item: AgentInputItem
  role: MessageRole
  content: string
  inputTokens: number | null
  outputTokens: number | null
}

/**
 * The Agents SDK's `Session` over the `messages` table (the SDK ships no Postgres one): one row
 * per item, its SDK form in `item` and its readable text in `content`, so `fte replay` and the
 * chat API read the same rows the model is given back. Resuming a conversation is opening a
 * session on its id. Assistant messages carry the tokens their model calls used.
 *
 * One session serves one turn. The SDK saves a run's items as the run ends; the session holds
 * them until the turn commits them (`commit`) in one statement with the turn's last audit rows and
 * its trace spans, so a turn ends in one write, and a reader never sees its messages without them.
 */
export class PostgresSession implements RunContextAwareSession {
  readonly acceptsRunContext = true
  private readonly db: Database
  private readonly conversationId: string
  private readonly historyLimit: number
  /** The conversation was made by this turn: nothing is stored for it yet. */
  private readonly fresh: boolean
  private held: HeldItem[] = []
  /** The position for this turn's first user message, drawn with `message_received`. */
  private userPosition: number | undefined
  /** Tokens already written to a row, per run, so each row gets only the calls since. */
  private readonly counted = new WeakMap<object, { input: number; output: number }>()

  constructor(options: {
    db: Database
    conversationId: string
    historyLimit?: number
    fresh?: boolean
  }) {
    this.db = options.db
    this.conversationId = options.conversationId
    this.historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT
    this.fresh = options.fresh ?? false
  }

  async getSessionId(): Promise<string> {
    return this.conversationId
  }

  async getItems(limit?: number): Promise<AgentInputItem[]> {
    const wanted = Math.max(0, limit ?? this.historyLimit)
    const held = this.held.slice(Math.max(0, this.held.length - wanted)).map((h) => h.item)
    if (this.fresh || held.length >= wanted) return held
    const { rows } = await this.db.query<{ item: AgentInputItem }>(
      `SELECT item FROM (
         SELECT item, seq FROM messages WHERE conversation_id = $1 AND item IS NOT NULL
         ORDER BY seq DESC LIMIT $2
       ) newest ORDER BY seq`,
      [this.conversationId, wanted - held.length],
    )
    return [...rows.map((row) => row.item), ...held]
  }

  /** Where this turn's user message goes in the log: right after the row that received it. */
  placeUserMessage(position: number): void {
    this.userPosition = position
  }

  async addItems(items: AgentInputItem[], runContext?: RunContext<unknown>): Promise<void> {
    for (const item of items) {
      const role = roleOf(item)
      const seq = role === 'user' ? (this.userPosition ?? null) : null
      if (seq !== null) this.userPosition = undefined
      let tokens: { input: number; output: number } | undefined
      if (role === 'assistant' && item.type === 'message' && runContext !== undefined) {
        tokens = this.newTokens(runContext)
      }
      this.held.push({
        seq,
        item,
        role,
        content: textOf(item),
        inputTokens: tokens?.input ?? null,
        outputTokens: tokens?.output ?? null,
      })
    }
  }

  /**
   * Writes the held items, then `audit`'s rows, in that order, with the trace's `spans`: one
   * statement, so all of it lands or none does.
   *
   * With `reply`, the write carries the Worker's reply to the user, and the same statement first
   * locks and reads the conversation's row: when a person has taken the conversation over (even
   * while this turn ran), the reply and its `message_sent` rows are left out and `reply_withheld`
   * is recorded instead. A takeover updates that row, so the two are ordered: the reply is in
   * before it, or not at all. Resolves to who holds the conversation, or undefined.
   */
  async commit(
    rest: {
      audit?: readonly AuditEntry[]
      spans?: readonly SpanRow[]
      reply?: { actor: string }
      /** The conversation's title, given only when it has none yet. */
      title?: string | undefined
      /**
       * More work for the reply's own transaction (an email to send it by, in an outbox): done
       * only when the reply is written, so the two land together or not at all.
       */
      withReply?: ((tx: Queryable) => Promise<void>) | undefined
    } = {},
  ): Promise<string | undefined> {
    const held = this.held
    const spans = rest.spans ?? []
    let audit = rest.audit ?? []
    // Which rows are written only when nobody holds the conversation (true), only when someone
    // does (false), or either way (null).
    let guards: Array<boolean | null> = audit.map(() => null)
    let replyGuards: Array<boolean | null> = held.map(() => null)
    if (rest.reply !== undefined) {
      replyGuards = held.map((h) =>
        h.role === 'assistant' && h.item.type === 'message' ? true : null,
      )
      guards = audit.map((entry) => (entry.action === 'message_sent' ? true : null))
      audit = [
        ...audit,
        {
          action: 'reply_withheld',
          actor: rest.reply.actor,
          conversationId: this.conversationId,
          payload: { replies: replyGuards.filter((g) => g === true).length },
        },
      ]
      guards.push(false)
    }
    this.held = []
    const title = rest.title?.replace(/\s+/g, ' ').trim().slice(0, 200) || null
    if (held.length === 0 && audit.length === 0 && spans.length === 0 && title === null) {
      return undefined
    }
    const withReply = rest.withReply
    if (withReply === undefined || rest.reply === undefined) {
      return this.write(
        this.db,
        held,
        audit,
        spans,
        guards,
        replyGuards,
        rest.reply !== undefined,
        title,
      )
    }
    return this.db.transaction(async (tx) => {
      const heldBy = await this.write(tx, held, audit, spans, guards, replyGuards, true, title)
      if (heldBy === undefined) await withReply(tx)
      return heldBy
    })
  }

  private async write(
    q: Queryable,
    held: readonly HeldItem[],
    audit: readonly AuditEntry[],
    spans: readonly SpanRow[],
    guards: ReadonlyArray<boolean | null>,
    replyGuards: ReadonlyArray<boolean | null>,
    reply: boolean,
    title: string | null,
  ): Promise<string | undefined> {
    // Messages draw their position from the audit log's sequence: the values are drawn here, in
    // order, so the messages come before the audit rows that close the turn.
    const free = '((SELECT held_by FROM holding) IS NULL)'
    const auditRows = auditRowsStatement(audit, {
      rows: '$9',
      offset: '$10',
      guards: { values: '$13', condition: free },
    })
    const { rows } = await q.query<{ held_by: string | null }>(
      `WITH holding AS MATERIALIZED (
         SELECT held_by FROM conversations WHERE id = $2 AND $12::boolean FOR SHARE
       ), seqs AS MATERIALIZED (
         SELECT n, nextval('audit_log_id_seq') AS seq FROM generate_series(1, $1::int) AS n
       ), held AS (
         INSERT INTO messages (conversation_id, role, content, item, input_tokens, output_tokens, seq)
         SELECT $2, t.role, t.content, t.item::jsonb, t.input_tokens, t.output_tokens,
                coalesce(t.seq, seqs.seq)
         FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $11::bigint[],
                     $14::boolean[])
           WITH ORDINALITY AS t(role, content, item, input_tokens, output_tokens, seq, guard, n)
         JOIN seqs ON seqs.n = t.n
         WHERE t.guard IS NULL OR t.guard = ${free}
       ), spans AS (
         INSERT INTO agent_spans
           (trace_id, span_id, parent_id, conversation_id, kind, name, started_at, ended_at, error, data)
         SELECT trace_id, span_id, parent_id, conversation_id, kind, name, started_at, ended_at,
                error, data
         FROM jsonb_to_recordset($8::jsonb) AS x(trace_id text, span_id text, parent_id text,
           conversation_id uuid, kind text, name text, started_at timestamptz,
           ended_at timestamptz, error jsonb, data jsonb)
         ON CONFLICT DO NOTHING
       ), titled AS (
         UPDATE conversations SET title = $15
         WHERE id = $2 AND $15::text IS NOT NULL AND title IS NULL
       ), audited AS (
         ${auditRows.sql}
       )
       SELECT (SELECT held_by FROM holding) AS held_by`,
      [
        held.length + audit.length,
        this.conversationId,
        held.map((h) => h.role),
        held.map((h) => h.content),
        held.map((h) => JSON.stringify(h.item)),
        held.map((h) => h.inputTokens),
        held.map((h) => h.outputTokens),
        JSON.stringify(spans),
        auditRows.rows,
        held.length,
        held.map((h) => h.seq),
        reply,
        JSON.stringify(guards),
        replyGuards,
        title,
      ],
    )
    return rows[0]?.held_by ?? undefined
  }

  async popItem(): Promise<AgentInputItem | undefined> {
    const held = this.held.pop()
    if (held !== undefined) return held.item
    const { rows } = await this.db.query<{ item: AgentInputItem }>(
      `DELETE FROM messages WHERE id = (
         SELECT id FROM messages WHERE conversation_id = $1 AND item IS NOT NULL
         ORDER BY seq DESC LIMIT 1
       ) RETURNING item`,
      [this.conversationId],
    )
    return rows[0]?.item
  }

  async clearSession(): Promise<void> {
    this.held = []
    await this.db.query('DELETE FROM messages WHERE conversation_id = $1', [this.conversationId])
  }

  private newTokens(runContext: RunContext<unknown>): { input: number; output: number } {
    const usage = runContext.usage
    const before = this.counted.get(runContext) ?? { input: 0, output: 0 }
    this.counted.set(runContext, { input: usage.inputTokens, output: usage.outputTokens })
    return {
      input: Math.max(0, usage.inputTokens - before.input),
      output: Math.max(0, usage.outputTokens - before.output),
    }
  }
}

function roleOf(item: AgentInputItem): MessageRole {
  if (item.type === 'message' || (item.type === undefined && 'role' in item)) {
    const role = (item as { role: string }).role
    return role === 'user' || role === 'assistant' || role === 'system' ? role : 'system'
  }
  if (item.type === 'function_call_result') return 'tool'
  return item.type === 'function_call' ? 'assistant' : 'system'
}

/** What a person reads for the item: the message text, the call, or the tool's output. */
export function textOf(item: AgentInputItem): string {
  if (item.type === 'function_call') return `${item.name}(${item.arguments})`
  if (item.type === 'function_call_result') {
    const output = item.output
    if (typeof output === 'string') return output
    if (Array.isArray(output)) {
      return output.map((part) => ('text' in part ? String(part.text) : `[${part.type}]`)).join('')
    }
    return 'text' in output ? String(output.text) : `[${output.type}]`
  }
  if ('content' in item) {
    const content = (item as { content: unknown }).content
    if (typeof content === 'string') return content
    if (Array.isArray(content)) {
      return content
        .map((part: { type: string; text?: string; refusal?: string }) =>
          typeof part.text === 'string' ? part.text : (part.refusal ?? `[${part.type}]`),
        )
        .join('')
    }
  }
  return `[${item.type ?? 'item'}]`
}
