import { randomBytes } from 'node:crypto'
import type { Queryable } from '../store/database.ts'

/**
 * The key session handles are signed with: SESSION_SECRET when configured, otherwise a random key
 * created once in the database, so every replica on that database accepts the others' handles.
 */
export async function sessionKey(
  db: Queryable,
  configured: string | undefined,
): Promise<Uint8Array> {
  if (configured !== undefined) return new TextEncoder().encode(configured)
  await db.query(
    `INSERT INTO gateway_secrets (name, secret) VALUES ('session-handle', $1)
     ON CONFLICT (name) DO NOTHING`,
    [randomBytes(32)],
  )
  const { rows } = await db.query<{ secret: Uint8Array }>(
    `SELECT secret FROM gateway_secrets WHERE name = 'session-handle'`,
  )
  const secret = rows[0]?.secret
  if (secret === undefined) throw new Error('the session key could not be created')
  return new Uint8Array(secret)
}
