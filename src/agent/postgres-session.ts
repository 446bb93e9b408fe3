import type { AgentInputItem, RunContext, RunContextAwareSession } from '@openai/agents'
import type { Queryable } from '../store/database.ts'
import type { MessageRole } from '../store/repositories/conversations.ts'

/** The most history items given back to the model per turn; older ones stay in the table. */
const DEFAULT_HISTORY_LIMIT = 200

/**
 * The Agents SDK's `Session` over the `messages` table (the SDK ships no Postgres one): one row
 * per item, its SDK form in `item` and its readable text in `content`, so `fte replay` and the
 * chat API read the same rows the model is given back. Resuming a conversation is opening a
 * session on its id. Assistant messages carry the tokens their model calls used.
 */
export class PostgresSession implements RunContextAwareSession {
  readonly acceptsRunContext = true
  private readonly db: Queryable
  private readonly conversationId: string
  private readonly historyLimit: number
  /** Tokens already written to a row, per run, so each row gets only the calls since. */
  private readonly counted = new WeakMap<object, { input: number; output: number }>()

  constructor(options: { db: Queryable; conversationId: string; historyLimit?: number }) {
    this.db = options.db
    this.conversationId = options.conversationId
    this.historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT
  }

  async getSessionId(): Promise<string> {
    return this.conversationId
  }

  async getItems(limit?: number): Promise<AgentInputItem[]> {
    const { rows } = await this.db.query<{ item: AgentInputItem }>(
      `SELECT item FROM (
         SELECT item, seq FROM messages WHERE conversation_id = $1 AND item IS NOT NULL
         ORDER BY seq DESC LIMIT $2
       ) newest ORDER BY seq`,
      [this.conversationId, Math.max(0, limit ?? this.historyLimit)],
    )
    return rows.map((row) => row.item)
  }

  async addItems(items: AgentInputItem[], runContext?: RunContext<unknown>): Promise<void> {
    if (items.length === 0) return
    const roles: MessageRole[] = []
    const contents: string[] = []
    const json: string[] = []
    const inputs: Array<number | null> = []
    const outputs: Array<number | null> = []
    for (const item of items) {
      const role = roleOf(item)
      let tokens: { input: number; output: number } | undefined
      if (role === 'assistant' && item.type === 'message' && runContext !== undefined) {
        tokens = this.newTokens(runContext)
      }
      roles.push(role)
      contents.push(textOf(item))
      json.push(JSON.stringify(item))
      inputs.push(tokens?.input ?? null)
      outputs.push(tokens?.output ?? null)
    }
    // One statement, so a turn's items land together and in order (seq follows the row order).
    await this.db.query(
      `INSERT INTO messages (conversation_id, role, content, item, input_tokens, output_tokens)
       SELECT $1, role, content, item::jsonb, input_tokens, output_tokens
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[]) WITH ORDINALITY
         AS t(role, content, item, input_tokens, output_tokens, n)
       ORDER BY n`,
      [this.conversationId, roles, contents, json, inputs, outputs],
    )
  }

  async popItem(): Promise<AgentInputItem | undefined> {
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
