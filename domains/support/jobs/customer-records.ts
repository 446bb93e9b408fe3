import type { ChannelRecord } from '../../../src/pack/jobs-contract.ts'
import type { Queryable } from '../../../src/store/database.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Row = { id: string; email: string; name: string }

const toRecord = (row: Row): ChannelRecord => ({ key: row.id, address: row.email, name: row.name })

/**
 * The customer an email's From matches: the customer row with that address. Matching is not
 * proof: a job acting for the row reads only that customer's data, and its reply goes to the row's
 * own address (never the sender's Reply-To), so a forged From learns nothing.
 */
export async function customerBySender(
  tx: Queryable,
  address: string,
): Promise<ChannelRecord | undefined> {
  const { rows } = await tx.query<Row>('SELECT id, email, name FROM customers WHERE email = $1', [
    address.trim().toLowerCase(),
  ])
  return rows[0] === undefined ? undefined : toRecord(rows[0])
}

/** A customer by row id (what webhook work and schedule findings name). */
export async function customerByKey(
  tx: Queryable,
  key: string,
): Promise<ChannelRecord | undefined> {
  if (!UUID.test(key)) return undefined
  const { rows } = await tx.query<Row>('SELECT id, email, name FROM customers WHERE id = $1', [key])
  return rows[0] === undefined ? undefined : toRecord(rows[0])
}
