import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { databaseUrlFor } from './database-url.ts'

/** The test server's URL (TEST_DATABASE_URL), when one is given. */
export const adminUrl = process.env.TEST_DATABASE_URL || undefined

/** Whether a test Postgres server is given: tests on Postgres run, or say they are skipped. */
export const postgresAvailable = adminUrl !== undefined

/** Another database on the test server. */
export function urlOf(name: string): string {
  if (adminUrl === undefined) throw new Error('TEST_DATABASE_URL is not set')
  return databaseUrlFor(adminUrl, name)
}

/**
 * A new, empty database on the test server, for a program that migrates its own (an end-to-end
 * test's `fte serve`): its URL, over TLS verified against TEST_DATABASE_CA when that is set, as a
 * deployment connects. `drop` discards it, whoever is still connected.
 */
export async function emptyPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `fte_t_${randomBytes(6).toString('hex')}`
  await adminQuery(`CREATE DATABASE ${name}`)
  const url = new URL(urlOf(name))
  const ca = process.env.TEST_DATABASE_CA
  if (ca) {
    url.searchParams.set('sslmode', 'verify-full')
    url.searchParams.set('sslrootcert', ca)
  }
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}

export /** One admin statement on its own connection (CREATE/DROP DATABASE cannot share a transaction). */
async function adminQuery(sql: string): Promise<void> {
  if (adminUrl === undefined) throw new Error('TEST_DATABASE_URL is not set')
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: adminUrl })
    await client.connect()
    try {
      await client.query(sql)
      return
    } catch (error) {
      // Two copies of one template at the same instant: "source database is being accessed".
      // A DROP ... WITH (FORCE) racing a backend that is still exiting (its role already gone)
      // is refused as a lack of privilege: it passes once the backend is gone.
      const code = (error as { code?: string }).code
      if ((code !== '55006' && code !== '42501') || attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    } finally {
      await client.end()
    }
  }
}
