import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudit } from '../../../src/audit/audit-writer.ts'
import { packageRoot } from '../../../src/lib/package-root.ts'
import type { DemoDataResult } from '../../../src/pack/domain-pack.ts'
import type { Database, Queryable } from '../../../src/store/database.ts'
import { loadDemoConversation } from './demo-conversation.ts'
import { demoData } from './demo-data.ts'
import type { DemoDataSet } from './demo-types.ts'
import { pastCaseDocuments } from './past-case-document.ts'

const DAY_MS = 86_400_000

/** From the package root, so the built `dist/` reads the same markdown files. */
const POLICIES_DIR = () => join(packageRoot(), 'domains', 'support', 'demo', 'policies')

/**
 * Loads the support demo data in one transaction. Every row has a natural key (email, order id,
 * ticket id, idempotency key, policy id), so a second load inserts nothing and changes nothing.
 * A load that inserted anything leaves one `seed_run` audit row.
 */
export async function loadDemoData(
  db: Database,
  options: { now?: Date; data?: DemoDataSet } = {},
): Promise<DemoDataResult> {
  const now = (options.now ?? new Date()).getTime()
  const data = options.data ?? demoData
  const daysAgo = (days: number) => new Date(now - days * DAY_MS).toISOString()
  const policies = await Promise.all(
    data.policies.map(async (p) => ({
      external_id: p.externalId,
      title: p.title,
      body: await readFile(join(POLICIES_DIR(), p.file), 'utf8'),
    })),
  )

  return db.transaction(async (tx) => {
    const inserted = {
      customers: await insert(
        tx,
        `INSERT INTO customers (email, name, tier, auth_subject)
         SELECT email, name, tier, auth_subject
         FROM jsonb_to_recordset($1::jsonb) AS r(email text, name text, tier text, auth_subject text)
         ON CONFLICT (email) DO NOTHING`,
        data.customers.map((c) => ({
          email: c.email,
          name: c.name,
          tier: c.tier,
          auth_subject: c.authSubject,
        })),
      ),
      orders: await insert(
        tx,
        `INSERT INTO orders (public_id, customer_id, placed_at, delivered_at, amount_cents, status)
         SELECT r.public_id, c.id, r.placed_at, r.delivered_at, r.amount_cents, r.status
         FROM jsonb_to_recordset($1::jsonb)
           AS r(public_id text, customer_email text, placed_at timestamptz,
                delivered_at timestamptz, amount_cents int, status text)
         JOIN customers c ON c.email = r.customer_email
         ON CONFLICT (public_id) DO NOTHING`,
        data.orders.map((o) => ({
          public_id: o.publicId,
          customer_email: o.customerEmail,
          placed_at: daysAgo(o.placedDaysAgo),
          // Demo parcels arrive three days after the order (or today, if that is sooner).
          delivered_at:
            o.status === 'delivered' || o.status === 'refunded'
              ? daysAgo(Math.max(0, o.placedDaysAgo - 3))
              : null,
          amount_cents: o.amountCents,
          status: o.status,
        })),
      ),
      tickets: await insert(
        tx,
        `INSERT INTO tickets
           (public_id, customer_id, order_id, category, summary, resolution, status,
            created_at, resolved_at)
         SELECT r.public_id, c.id, o.id, r.category, r.summary, r.resolution, r.status,
                r.created_at, r.resolved_at
         FROM jsonb_to_recordset($1::jsonb)
           AS r(public_id text, customer_email text, order_public_id text, category text,
                summary text, resolution text, status text, created_at timestamptz,
                resolved_at timestamptz)
         JOIN customers c ON c.email = r.customer_email
         LEFT JOIN orders o ON o.public_id = r.order_public_id
         ON CONFLICT (public_id) DO NOTHING`,
        data.tickets.map((t) => ({
          public_id: t.publicId,
          customer_email: t.customerEmail,
          order_public_id: t.orderPublicId ?? null,
          category: t.category,
          summary: t.summary,
          resolution: t.resolution ?? null,
          status: t.status,
          created_at: daysAgo(t.createdDaysAgo),
          resolved_at: t.resolvedDaysAgo === undefined ? null : daysAgo(t.resolvedDaysAgo),
        })),
      ),
      refunds: await insert(
        tx,
        `INSERT INTO refunds (order_id, ticket_id, amount_cents, reason, status, idempotency_key, issued_at)
         SELECT o.id, t.id, r.amount_cents, r.reason, r.status, r.idempotency_key, r.issued_at
         FROM jsonb_to_recordset($1::jsonb)
           AS r(idempotency_key text, order_public_id text, ticket_public_id text,
                amount_cents int, reason text, status text, issued_at timestamptz)
         JOIN orders o ON o.public_id = r.order_public_id
         LEFT JOIN tickets t ON t.public_id = r.ticket_public_id
         ON CONFLICT (requested_by, idempotency_key) WHERE idempotency_key IS NOT NULL
         DO NOTHING`,
        data.refunds.map((r) => ({
          idempotency_key: r.idempotencyKey,
          order_public_id: r.orderPublicId,
          ticket_public_id: r.ticketPublicId ?? null,
          amount_cents: r.amountCents,
          reason: r.reason,
          status: r.status,
          issued_at: daysAgo(r.issuedDaysAgo),
        })),
      ),
      documents: await insert(
        tx,
        `INSERT INTO documents (source, external_id, title, body)
         SELECT 'policy', external_id, title, body
         FROM jsonb_to_recordset($1::jsonb) AS r(external_id text, title text, body text)
         ON CONFLICT (source, external_id) DO NOTHING`,
        policies,
      ),
      pastCases: await insert(
        tx,
        `INSERT INTO documents (source, external_id, title, body, metadata)
         SELECT 'past_case', r.ticket_id, r.title, r.body,
                jsonb_build_object('ticket_id', r.ticket_id, 'category', r.category)
         FROM jsonb_to_recordset($1::jsonb)
           AS r(ticket_id text, title text, body text, category text)
         ON CONFLICT (source, external_id) DO NOTHING`,
        await resolvedDocuments(tx, data),
      ),
      conversations: await loadDemoConversation(tx),
    }
    if (Object.values(inserted).some((count) => count > 0)) {
      await writeAudit(tx, {
        action: 'seed_run',
        actor: 'system',
        target: 'support:demo-data',
        payload: { dataset: 'support-demo' },
        result: { inserted },
      })
    }
    return { inserted }
  })
}

/** The resolved tickets as past-case documents, with the people taken out. */
async function resolvedDocuments(tx: Queryable, data: DemoDataSet) {
  const resolved = data.tickets.filter((t) => t.status === 'resolved' && t.resolution !== undefined)
  const documents = await pastCaseDocuments(
    tx,
    resolved.map((t) => ({
      summary: t.summary,
      resolution: t.resolution ?? '',
      customerEmail: t.customerEmail,
    })),
  )
  return resolved.map((t, i) => ({
    ticket_id: t.publicId,
    title: documents[i]?.title,
    body: documents[i]?.body,
    category: t.category,
  }))
}

async function insert(tx: Queryable, sql: string, rows: readonly object[]): Promise<number> {
  if (rows.length === 0) return 0
  const result = await tx.query(sql, [JSON.stringify(rows)])
  return result.rowCount
}
