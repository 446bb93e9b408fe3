import { afterEach, beforeEach, expect, it } from 'vitest'
import { z } from 'zod'
import { domainPacks } from '../domains/index.ts'
import type { Identity } from '../src/auth/identity.ts'
import { scopesFor } from '../src/auth/scopes.ts'
import { embedPendingDocuments } from '../src/embedding/document-indexer.ts'
import { createLocalEmbedder } from '../src/embedding/local-embedder.ts'
import { migrationSources, packScopes } from '../src/pack/domain-pack.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { describeEachEraAndDatabase } from './support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from './support/gateway-client.ts'
import type { TestDatabase } from './support/test-databases.ts'

/** An email, a phone number and a card number, as people write them. */
const PERSONAL = 'Reach me at Leak.Tester@example.com or +1 415 555 0134; card 4111 1111 1111 1111.'
/** Every way the three could appear in clear: as written, and as bare digits. */
const IN_CLEAR = [/leak\.tester@example\.com/i, /415\D?555\D?0134/, /4111\D?1111\D?1111\D?1111/]

/** Known-good calls that read fixture rows back, per pack (the sweep below covers every tool). */
const READS: Record<string, Array<[string, Record<string, unknown>]>> = {
  // as Maya Okafor, whose order #4429 and ticket T-1099 these are
  support: [
    ['domain_lookup_customer', {}],
    ['domain_lookup_order', { order: '4429' }],
    ['domain_get_ticket', { ticket: 'T-1099' }],
    ['domain_list_tickets', {}],
    ['domain_find_similar_cases', { description: 'my refund has not arrived' }],
    ['domain_search_policies', { question: 'refund window' }],
  ],
  tasks: [['domain_list_tasks', {}]],
  'reading-room': [
    ['domain_search', { query: 'reach me at this card' }],
    ['domain_get_item', { id: 'a1' }],
  ],
}

/** Columns holding identifiers or codes, left as they are: the calls must still find their rows. */
const IDENTIFYING =
  /(^|_)(id|subject|status|tier|category|key|hash|model|source|kind|role)$|^email$/

/** Arguments for `schema` with the personal data in every string it takes. */
function hostileArguments(schema: z.ZodObject): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>
  }
  const args: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    if (name === 'session') continue
    const type =
      property.type ?? (property.anyOf as Array<{ type?: string }> | undefined)?.[0]?.type
    if (Array.isArray(property.enum)) args[name] = property.enum[0]
    else if (type === 'integer' || type === 'number') args[name] = property.minimum ?? 1
    else if (type === 'boolean') args[name] = true
    else if (type === 'object') args[name] = { note: PERSONAL }
    else if (type === 'array') args[name] = [PERSONAL]
    else args[name] = PERSONAL
  }
  return args
}

for (const [packName, pack] of Object.entries(domainPacks)) {
  describeEachEraAndDatabase(
    `no personal data in clear in the audit trail: the ${packName} pack`,
    (target, era) => {
      let db: TestDatabase
      beforeEach(async () => {
        db = await target.open('empty')
        const migrated = await migrate(db, await loadMigrations(migrationSources(pack)))
        if (migrated.error) throw migrated.error
        await pack.loadDemoData?.(db)
        await poisonFreeText(db)
        await embedPendingDocuments(db, createLocalEmbedder(1024, pack.lexicon))
      })
      afterEach(() => db.close())

      it('digests every email, phone and card number in every tool’s arguments and results, for a customer and for staff', async () => {
        const gateway = await testGateway(db, { pack })
        const accounts = (await pack.devAccounts?.(db)) ?? []
        const customer =
          accounts.find((a) => a.sub === pack.demoPeople?.customer) ??
          accounts.find((a) => a.role === 'customer')
        const people: Identity[] = [
          {
            sub: customer?.sub ?? 'demo|someone',
            role: 'customer',
            scopes: scopesFor('customer', packScopes(pack)),
          },
          {
            sub: 'demo|staff-auditor',
            role: 'staff',
            scopes: scopesFor('staff', packScopes(pack)),
          },
        ]
        const reads = READS[packName] ?? []
        let answeredInClear = 0
        for (const identity of people) {
          const client = await connect(gateway, identity, era)
          const session = await begin(client)
          for (const [tool, args] of reads) {
            const reply = await call(client, tool, { session, ...args })
            if (identity.role !== 'customer') continue
            expect(reply.isError, `${tool}: ${reply.text}`).toBe(false)
            if (IN_CLEAR.every((pattern) => pattern.test(reply.text))) answeredInClear++
          }
          for (const tool of gateway.tools) {
            await call(client, tool.name, { session, ...hostileArguments(tool.input) })
          }
        }
        // The fixture rows' personal data reached the caller (the model gets it in clear)...
        expect(answeredInClear).toBeGreaterThan(0)
        // ...and every tool left its rows: a trail with nothing in it would hide nothing.
        const { rows: called } = await db.query<{ capability: string }>(
          'SELECT DISTINCT capability FROM capability_invocations',
        )
        expect(called.map((r) => r.capability).sort()).toEqual(
          expect.arrayContaining(gateway.tools.map((t) => `mcp:${t.name}`).sort()),
        )
        const { rows } = await db.query<{ row: string }>(
          `SELECT concat_ws(' ', actor, target, payload::text, result::text) AS row FROM audit_log
         UNION ALL
         SELECT concat_ws(' ', actor, capability, arguments::text, result::text) FROM capability_invocations`,
        )
        expect(rows.length).toBeGreaterThan(gateway.tools.length * 2)
        const leaks = rows.filter(({ row }) => IN_CLEAR.some((pattern) => pattern.test(row)))
        expect(leaks.map((l) => l.row.slice(0, 300))).toEqual([])
      })
    },
  )
}

/**
 * Appends the personal data to every free-text column of the pack's rows (each column on its own:
 * one its checks refuse is left as it was), so that every read returns some of it.
 */
async function poisonFreeText(db: TestDatabase): Promise<void> {
  const { rows } = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type = 'text'
       AND c.table_name NOT IN ('audit_log', 'capability_invocations', 'schema_migrations',
                                'gateway_secrets', 'idempotency_records', 'rate_limits', 'users',
                                'refused_calls', 'embeddings')`,
  )
  for (const { table_name: table, column_name: column } of rows) {
    if (IDENTIFYING.test(column)) continue
    await db
      .query(`UPDATE "${table}" SET "${column}" = "${column}" || ' ' || $1`, [PERSONAL])
      .catch(() => {})
  }
}
