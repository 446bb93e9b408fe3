import { describe, expect, it } from 'vitest'
import { TcpProxy } from '../../test/support/tcp-proxy.ts'
import { openPostgres } from './postgres-database.ts'

/** Against the real server TEST_DATABASE_URL names (.ci/run starts one); skipped without it. */
describe('openPostgres', () => {
  const url = process.env.TEST_DATABASE_URL
  it.skipIf(!url)(
    'says authentication failed for a wrong password, without echoing it',
    async () => {
      const wrong = new URL(url ?? '')
      wrong.password = 'not-the-password'
      const error = await openPostgres({ url: wrong.toString() }).catch((e: unknown) => e)
      expect((error as Error).message).toContain('authentication failed')
      expect((error as Error).message).not.toContain('not-the-password')
    },
  )

  it.skipIf(!url)(
    'survives the server dropping a connection in the middle of a transaction, and recovers',
    async () => {
      const target = new URL(url ?? '')
      const proxy = await new TcpProxy(target.hostname, Number(target.port)).start()
      target.port = String(proxy.port)
      const db = await openPostgres({ url: target.toString(), poolMax: 2, connectTimeoutMs: 2000 })
      try {
        // The line goes down while the transaction holds its connection between two statements:
        // the client's error event must not crash the process; the next statement fails instead.
        const outcome = await db
          .transaction(async (tx) => {
            await tx.query('SELECT 1')
            await proxy.cut()
            await new Promise((resolve) => setTimeout(resolve, 100))
            await tx.query('SELECT 2')
          })
          .catch((error: unknown) => error)
        expect(outcome).toBeInstanceOf(Error)
        await proxy.restore()
        expect((await db.query<{ n: number }>('SELECT 3 AS n')).rows).toEqual([{ n: 3 }])
      } finally {
        await db.close()
        await proxy.cut()
      }
    },
  )

  const ca = process.env.TEST_DATABASE_CA
  it.skipIf(!url || !ca)(
    'connects to a real server over verified TLS with a Neon-shaped URL',
    async () => {
      const neonShaped = new URL(url ?? '')
      neonShaped.search = `?sslmode=require&channel_binding=require&sslrootcert=${ca}`
      const notices: string[] = []
      const db = await openPostgres({
        url: neonShaped.toString(),
        onNotice: (n) => notices.push(n),
      })
      try {
        const { rows } = await db.query<{ ssl: boolean }>(
          'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        )
        expect(rows).toEqual([{ ssl: true }])
        expect(notices[0]).toContain('sslmode=require')
      } finally {
        await db.close()
      }
    },
  )

  it.skipIf(!url || !ca)('refuses a server certificate it cannot verify, and says so', async () => {
    const unverifiable = new URL(url ?? '')
    unverifiable.search = '?sslmode=require'
    const error = await openPostgres({ url: unverifiable.toString() }).catch((e: unknown) => e)
    expect((error as Error).message).toContain("the server's TLS certificate could not be verified")
  })

  it.skipIf(!url)('says the database does not exist', async () => {
    const missing = new URL(url ?? '')
    missing.pathname = '/no_such_database_here'
    const error = await openPostgres({ url: missing.toString() }).catch((e: unknown) => e)
    expect((error as Error).message).toContain('the database does not exist')
  })
})
