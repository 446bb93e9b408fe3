import { afterAll, beforeAll, expect, it } from 'vitest'
import { SQLSTATE } from '../src/store/sql-error.ts'
import { expectSqlState } from './support/expect-sql-error.ts'
import { describeEachDatabase, type TestDatabase } from './support/test-databases.ts'

const CONV = '00000000-0000-4000-8000-000000000001'
const DOC = '00000000-0000-4000-8000-000000000002'
const CUST = '00000000-0000-4000-8000-000000000003'
const ORDER = '00000000-0000-4000-8000-000000000004'
const TICKET = '00000000-0000-4000-8000-000000000005'
const MISSING = '00000000-0000-4000-8000-0000000000ff'

/** One valid row in every table; each case below breaks exactly one rule against these. */
const FIXTURES = `
INSERT INTO conversations (id, user_id) VALUES ('${CONV}', 'user-1');
INSERT INTO documents (id, source, external_id, title, body) VALUES ('${DOC}', 'policy', 'p1', 'P', 'body');
INSERT INTO users (id) VALUES ('user-1');
INSERT INTO customers (id, email, name, tier) VALUES ('${CUST}', 'a@example.com', 'A', 'pro');
INSERT INTO orders (id, customer_id, public_id, placed_at, amount_cents, status)
  VALUES ('${ORDER}', '${CUST}', '4429', now(), 21900, 'delivered');
INSERT INTO tickets (id, public_id, customer_id, order_id, summary, status)
  VALUES ('${TICKET}', 'T-1', '${CUST}', '${ORDER}', 'where is my refund', 'open');
INSERT INTO refunds (order_id, amount_cents, reason, idempotency_key) VALUES ('${ORDER}', 100, 'r', 'k1');
`

const CHECK = SQLSTATE.checkViolation
const FK = SQLSTATE.foreignKeyViolation
const UNIQUE = SQLSTATE.uniqueViolation

const REJECTED: ReadonlyArray<[string, string, string | readonly string[]]> = [
  ['a conversation without a user', `INSERT INTO conversations (user_id) VALUES ('')`, CHECK],
  [
    'a conversation that ends before it starts',
    `INSERT INTO conversations (user_id, started_at, ended_at) VALUES ('u', now(), now() - interval '1 day')`,
    CHECK,
  ],
  [
    'a message with an unknown role',
    `INSERT INTO messages (conversation_id, role, content) VALUES ('${CONV}', 'robot', 'x')`,
    CHECK,
  ],
  [
    'a message with negative token counts',
    `INSERT INTO messages (conversation_id, role, content, input_tokens) VALUES ('${CONV}', 'user', 'x', -1)`,
    CHECK,
  ],
  [
    'a message in no conversation',
    `INSERT INTO messages (conversation_id, role, content) VALUES ('${MISSING}', 'user', 'x')`,
    FK,
  ],
  [
    'a document with a malformed source',
    `INSERT INTO documents (source, title, body) VALUES ('Policy Library', 't', 'b')`,
    CHECK,
  ],
  [
    'a document loaded twice',
    `INSERT INTO documents (source, external_id, title, body) VALUES ('policy', 'p1', 't', 'b')`,
    UNIQUE,
  ],
  [
    'an embedding with both parents',
    `INSERT INTO embeddings (document_id, conversation_id, chunk_index, chunk_text, model, dimensions, embedding)
     VALUES ('${DOC}', '${CONV}', 0, 'x', 'm', 3, '[1,2,3]')`,
    CHECK,
  ],
  [
    'an embedding with no parent',
    `INSERT INTO embeddings (chunk_index, chunk_text, model, dimensions, embedding) VALUES (0, 'x', 'm', 3, '[1,2,3]')`,
    CHECK,
  ],
  [
    'an embedding whose vector does not have the recorded dimension',
    `INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
     VALUES ('${DOC}', 0, 'x', 'm', 4, '[1,2,3]')`,
    CHECK,
  ],
  [
    'an embedding of a missing document',
    `INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
     VALUES ('${MISSING}', 0, 'x', 'm', 3, '[1,2,3]')`,
    FK,
  ],
  [
    'an embedding chunk stored twice for one model',
    `INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
     VALUES ('${DOC}', 0, 'x', 'm', 3, '[1,2,3]'), ('${DOC}', 0, 'y', 'm', 3, '[1,2,4]')`,
    UNIQUE,
  ],
  [
    'an invocation with an unknown status',
    `INSERT INTO capability_invocations (actor, capability, status, latency_ms) VALUES ('a', 'c', 'maybe', 1)`,
    CHECK,
  ],
  [
    'an invocation with a negative latency',
    `INSERT INTO capability_invocations (actor, capability, status, latency_ms) VALUES ('a', 'c', 'ok', -1)`,
    CHECK,
  ],
  [
    'an invocation with a negative cost',
    `INSERT INTO capability_invocations (actor, capability, status, latency_ms, cost_usd) VALUES ('a', 'c', 'ok', 1, -0.5)`,
    CHECK,
  ],
  [
    'an audit row with a malformed action',
    `INSERT INTO audit_log (actor, action) VALUES ('a', 'Refund Issued')`,
    CHECK,
  ],
  [
    'an audit row pointing at a missing invocation (checked at commit)',
    `INSERT INTO audit_log (actor, action, invocation_id) VALUES ('a', 'capability_invoked', '${MISSING}')`,
    FK,
  ],
  ['a user without an id', `INSERT INTO users (id) VALUES ('')`, CHECK],
  [
    'user state that is not an object',
    `INSERT INTO user_state (user_id, state) VALUES ('user-1', '[1]')`,
    CHECK,
  ],
  ['user state of an unknown user', `INSERT INTO user_state (user_id) VALUES ('nobody')`, FK],
  [
    'a note of an unknown user',
    `INSERT INTO notes (user_id, note_text) VALUES ('nobody', 'x')`,
    FK,
  ],
  ['an empty note', `INSERT INTO notes (user_id, note_text) VALUES ('user-1', '')`, CHECK],
  [
    'a customer with an unknown tier',
    `INSERT INTO customers (email, name, tier) VALUES ('b@example.com', 'B', 'gold')`,
    CHECK,
  ],
  [
    'a customer email in capitals',
    `INSERT INTO customers (email, name, tier) VALUES ('B@example.com', 'B', 'free')`,
    CHECK,
  ],
  [
    'a second customer with one email',
    `INSERT INTO customers (email, name, tier) VALUES ('a@example.com', 'B', 'free')`,
    UNIQUE,
  ],
  [
    'an order with an unknown status',
    `INSERT INTO orders (customer_id, public_id, placed_at, amount_cents, status) VALUES ('${CUST}', '1', now(), 1, 'lost')`,
    CHECK,
  ],
  [
    'an order of zero cents',
    `INSERT INTO orders (customer_id, public_id, placed_at, amount_cents, status) VALUES ('${CUST}', '1', now(), 0, 'placed')`,
    CHECK,
  ],
  [
    'an order id with its display hash',
    `INSERT INTO orders (customer_id, public_id, placed_at, amount_cents, status) VALUES ('${CUST}', '#1', now(), 1, 'placed')`,
    CHECK,
  ],
  [
    'a second order with one public id',
    `INSERT INTO orders (customer_id, public_id, placed_at, amount_cents, status) VALUES ('${CUST}', '4429', now(), 1, 'placed')`,
    UNIQUE,
  ],
  [
    'an order of a missing customer',
    `INSERT INTO orders (customer_id, public_id, placed_at, amount_cents, status) VALUES ('${MISSING}', '2', now(), 1, 'placed')`,
    FK,
  ],
  [
    'a ticket with an unknown status',
    `INSERT INTO tickets (public_id, customer_id, summary, status) VALUES ('T-2', '${CUST}', 's', 'closed')`,
    CHECK,
  ],
  [
    'a resolved ticket without a resolution',
    `INSERT INTO tickets (public_id, customer_id, summary, status, resolved_at) VALUES ('T-2', '${CUST}', 's', 'resolved', now())`,
    CHECK,
  ],
  [
    'a ticket with a malformed display id',
    `INSERT INTO tickets (public_id, customer_id, summary, status) VALUES ('ticket-2', '${CUST}', 's', 'open')`,
    CHECK,
  ],
  [
    'a ticket of a missing customer',
    `INSERT INTO tickets (public_id, customer_id, summary, status) VALUES ('T-2', '${MISSING}', 's', 'open')`,
    FK,
  ],
  [
    'a refund of zero cents',
    `INSERT INTO refunds (order_id, amount_cents, reason) VALUES ('${ORDER}', 0, 'r')`,
    CHECK,
  ],
  [
    'a refund with an unknown status',
    `INSERT INTO refunds (order_id, amount_cents, reason, status) VALUES ('${ORDER}', 1, 'r', 'lost')`,
    CHECK,
  ],
  [
    'a refund of a missing order',
    `INSERT INTO refunds (order_id, amount_cents, reason) VALUES ('${MISSING}', 1, 'r')`,
    FK,
  ],
  [
    'a second refund with one idempotency key',
    `INSERT INTO refunds (order_id, amount_cents, reason, idempotency_key) VALUES ('${ORDER}', 1, 'r', 'k1')`,
    UNIQUE,
  ],
  // restrict_violation since PostgreSQL 16 (PGlite is 18), foreign_key_violation before
  [
    'deleting an order that has a refund',
    `DELETE FROM orders WHERE id = '${ORDER}'`,
    [FK, '23001'],
  ],
]

describeEachDatabase('the schema', (target) => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await target.open('support')
    await db.exec(FIXTURES)
  })
  afterAll(() => db.close())

  it('accepts the valid fixture rows', async () => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM documents)
            + (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders)
            + (SELECT count(*) FROM tickets) + (SELECT count(*) FROM refunds) AS n`,
    )
    expect(rows[0]?.n).toBe(6)
  })

  it.each(REJECTED)('rejects %s', async (_name, sql, code) => {
    await expectSqlState(() => db.transaction((tx) => tx.exec(sql)), code)
  })

  it('deletes the embeddings of a deleted document', async () => {
    await db
      .transaction(async (tx) => {
        await tx.exec(
          `INSERT INTO documents (id, source, title, body) VALUES ('${MISSING}', 'kb_article', 't', 'b');
         INSERT INTO embeddings (document_id, chunk_index, chunk_text, model, dimensions, embedding)
         VALUES ('${MISSING}', 0, 'x', 'm', 3, '[1,2,3]');
         DELETE FROM documents WHERE id = '${MISSING}';`,
        )
        const left = await tx.query(`SELECT 1 FROM embeddings WHERE document_id = '${MISSING}'`)
        expect(left.rowCount).toBe(0)
        throw new Rollback()
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error
      })
  })
})

class Rollback extends Error {}
