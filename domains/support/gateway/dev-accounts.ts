import type { DevAccount } from '../../../src/auth/dev-server.ts'
import type { Database } from '../../../src/store/database.ts'

/** The demo staff user of the development sign-in. */
export const DEMO_STAFF: DevAccount = {
  sub: 'demo|staff-sam',
  name: 'Sam Patel (support staff)',
  email: 'sam.patel@staff.example.com',
  role: 'staff',
}

/** Who the development sign-in offers: the demo customers (those with a demo sign-in) and staff. */
export async function supportDevAccounts(db: Database): Promise<DevAccount[]> {
  const { rows } = await db.query<{ auth_subject: string; name: string; email: string }>(
    `SELECT auth_subject, name, email FROM customers
     WHERE auth_subject LIKE 'demo|%' ORDER BY name LIMIT 50`,
  )
  return [
    ...rows.map((r) => ({
      sub: r.auth_subject,
      name: r.name,
      email: r.email,
      role: 'customer' as const,
    })),
    DEMO_STAFF,
  ]
}
