import type { Context } from 'hono'
import { type AuditedWork, invokeAudited } from '../audit/audit-writer.ts'
import type { Identity } from '../auth/identity.ts'
import type { Json } from '../lib/json.ts'
import { people } from '../memory/people.ts'
import type { Database } from '../store/database.ts'
import { type ApiEnv, errorResponse } from './api-common.ts'

/**
 * A staff member's action, audited as `staff:<capability>` by `staff:<sub>` in one transaction
 * with what it changes; answered as its JSON result, or a caller's error as its refusal.
 */
export async function staffAction<T extends Json>(
  db: Database,
  c: Context<ApiEnv>,
  capability: string,
  args: Record<string, Json>,
  work: (audited: AuditedWork, identity: Identity) => Promise<T>,
): Promise<Response> {
  const identity = c.get('identity')
  try {
    const result = await invokeAudited(
      db,
      {
        capability: `staff:${capability}`,
        actor: `staff:${identity.sub}`,
        arguments: args,
        conversationId: typeof args.conversation_id === 'string' ? args.conversation_id : null,
      },
      async (audited) => {
        // Who acted, with the name their token gives: what customers and colleagues see.
        await people.seen(audited.tx, identity)
        return work(audited, identity)
      },
    )
    return c.json(result as Record<string, unknown>)
  } catch (error) {
    return errorResponse(c, error)
  }
}
