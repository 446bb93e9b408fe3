import { PGlite, type PGliteInterface } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { FteError } from '../lib/errors.ts'
import { lockDataDir } from './data-dir-lock.ts'
import {
  type Database,
  type Queryable,
  type QueryResult,
  type Row,
  transactionSettings,
} from './database.ts'

export interface PgliteOptions {
  /** A folder to persist to; unset keeps the database in memory. */
  dataDir?: string
  /** A data folder snapshot (from `dumpDataDir`) to start from: fast copies for tests. */
  loadDataDir?: Blob
}

export type PgliteDatabase = Database & {
  /** A snapshot of the whole data folder, loadable with `loadDataDir`. */
  dumpDataDir(): Promise<Blob>
}

export async function openPglite(options: PgliteOptions = {}): Promise<PgliteDatabase> {
  const unlock = options.dataDir === undefined ? () => {} : lockDataDir(options.dataDir)
  let pg: PGlite
  try {
    pg = await PGlite.create({
      extensions: { vector },
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
    })
  } catch (error) {
    unlock()
    throw new FteError(
      'data_dir_unusable',
      `Cannot open the embedded database${options.dataDir ? ` in ${options.dataDir}` : ''}: ${
        (error as Error).message
      }`,
      { fault: 'system', cause: error },
    )
  }
  const db: PgliteDatabase = {
    kind: 'pglite',
    description:
      options.dataDir === undefined ? 'embedded (in memory)' : `embedded (${options.dataDir})`,
    query: (sql, params) => runQuery(pg, sql, params),
    exec: async (sql) => {
      await pg.exec(sql)
    },
    transaction: (work, options) =>
      pg.transaction(async (tx) => {
        const settings = transactionSettings(options)
        if (settings !== '') await tx.exec(settings)
        return work({
          query: (sql, params) => runQuery(tx, sql, params),
          exec: async (sql) => {
            await tx.exec(sql)
          },
        } satisfies Queryable)
      }),
    pool: () => db,
    dumpDataDir: () => pg.dumpDataDir('none'),
    close: async () => {
      try {
        if (!pg.closed) await pg.close()
      } finally {
        unlock()
      }
    },
  }
  return db
}

async function runQuery<R extends Row>(
  pg: Pick<PGliteInterface, 'query'>,
  sql: string,
  params: readonly unknown[] = [],
): Promise<QueryResult<R>> {
  const result = await pg.query<R>(sql, params as unknown[])
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length }
}
