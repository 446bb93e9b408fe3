import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'

/** Where a running `fte serve` keeps its data: a Postgres URL, or its embedded data folder. */
export type ServedDatabase = { url: string } | { dataDir: string }

/**
 * A connection of the test's own to the database a running `fte serve` works on, as any Postgres
 * client makes one: by URL, or through the socket the embedded database's holder names in its
 * lock file (so only while a server holds it).
 */
export async function servedDatabaseClient(where: ServedDatabase): Promise<pg.Client> {
  let client: pg.Client
  if ('url' in where) {
    client = new pg.Client({ connectionString: where.url })
  } else {
    const [, socketDir] = (await readFile(join(where.dataDir, 'fte.lock'), 'utf8')).split('\n')
    if (socketDir === undefined || socketDir === '') {
      throw new Error(`no process serves the embedded database in ${where.dataDir}`)
    }
    client = new pg.Client({ host: socketDir, port: 5432 })
  }
  // A server killed under it drops the connection: its next query fails, the test does not.
  client.on('error', () => {})
  await client.connect()
  return client
}

/** The first column of the first row of `sql`, as a number: a count. */
export async function countOf(client: pg.Client, sql: string, params: unknown[] = []) {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (${sql}) x`,
    params,
  )
  return rows[0]?.n ?? 0
}
