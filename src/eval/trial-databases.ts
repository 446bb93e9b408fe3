import { randomBytes } from 'node:crypto'
import { prepareDatabase } from '../app/prepare-database.ts'
import type { Runtime } from '../app/runtime.ts'
import type { Embedder } from '../embedding/embedder.ts'
import { CallerError } from '../lib/errors.ts'
import type { Database } from '../store/database.ts'
import { openPglite } from '../store/pglite-database.ts'
import { openPostgres } from '../store/postgres-database.ts'

/**
 * Where an evaluation's trials run: a database prepared once (the schema, the demo data, its
 * search index), of which every trial gets a fresh copy of its own, discarded when it ends.
 */
export interface TrialDatabases {
  readonly kind: 'embedded' | 'postgres'
  /** On Postgres, the prepared database's name: its copies' names begin with it. */
  readonly name?: string
  /** A fresh copy of the prepared database; closing it discards it. */
  copy(): Promise<Database>
  /** Discards the prepared database and every copy still open: nothing is left behind. */
  close(): Promise<void>
}

/** Names of the databases an evaluation makes on Postgres: `fte_eval_<run>` and its copies. */
export const EVAL_DATABASE_PREFIX = 'fte_eval_'

/** The application name of a run's own connection, followed by the run's name. */
const RUN_APPLICATION = 'digital-fte eval'

/**
 * The embedded database when DATABASE_URL is unset: prepared in memory, and each copy a PGlite
 * loaded from a snapshot of its data folder (nothing on disk). On Postgres, a database made for
 * the run, and each copy `CREATE DATABASE … TEMPLATE` of it, on the same server: the role needs
 * CREATEDB, and pgvector as `fte migrate` does. The operator's own database is never touched.
 */
export async function prepareTrialDatabases(
  runtime: Runtime,
  embedder: Embedder,
): Promise<TrialDatabases> {
  const url = runtime.config.database.url
  return url === undefined
    ? await embeddedTrials(runtime, embedder)
    : await postgresTrials(runtime, embedder, url)
}

async function prepare(runtime: Runtime, embedder: Embedder, db: Database): Promise<void> {
  // The demo data is the scenarios' world, whatever FTE_DEMO_DATA says for serving.
  await prepareDatabase(db, {
    pack: runtime.pack,
    embedder,
    demoData: true,
    logger: runtime.logger.child({ eval: 'prepare' }),
  })
}

async function embeddedTrials(runtime: Runtime, embedder: Embedder): Promise<TrialDatabases> {
  const template = await openPglite()
  let snapshot: Blob
  try {
    await prepare(runtime, embedder, template)
    snapshot = await template.dumpDataDir()
  } finally {
    await template.close()
  }
  const open = new Set<Database>()
  return {
    kind: 'embedded',
    async copy() {
      const db = await openPglite({ loadDataDir: snapshot })
      open.add(db)
      return {
        ...db,
        close: async () => {
          open.delete(db)
          await db.close()
        },
      }
    },
    async close() {
      await Promise.all([...open].map((db) => db.close().catch(() => {})))
      open.clear()
    },
  }
}

async function postgresTrials(
  runtime: Runtime,
  embedder: Embedder,
  url: string,
): Promise<TrialDatabases> {
  const { config, logger } = runtime
  const run = `${EVAL_DATABASE_PREFIX}${randomBytes(5).toString('hex')}`
  // Its name says whose run it is: while it is connected, `--clean` leaves the run's copies alone.
  const admin = await openPostgres({
    url,
    poolMax: 2,
    connectTimeoutMs: config.database.connectTimeoutMs,
    applicationName: `${RUN_APPLICATION} ${run}`,
  })
  const made = new Set<string>()
  let copies = 0
  const create = async (name: string, template?: string) => {
    made.add(name)
    await createDatabase(admin, name, template)
  }
  const drop = async (name: string) => {
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    made.delete(name)
  }
  const openCopy = (name: string) =>
    openPostgres({ url: urlFor(url, name), poolMax: 10, applicationName: 'digital-fte eval' })
  const closeAll = async () => {
    for (const name of [...made].reverse()) {
      await drop(name).catch((error) =>
        logger.warn({ database: name, err: String(error) }, 'could not drop an evaluation copy'),
      )
    }
    await admin.close()
  }
  try {
    await create(run)
    const template = await openCopy(run)
    try {
      await prepare(runtime, embedder, template)
    } finally {
      // A database is copied only while nobody is connected to it.
      await template.close()
    }
  } catch (error) {
    await closeAll()
    throw error
  }
  return {
    kind: 'postgres',
    name: run,
    async copy() {
      const name = `${run}_${++copies}`
      await create(name, run)
      const db = await openCopy(name)
      return {
        ...db,
        close: async () => {
          await db.close()
          await drop(name)
        },
      }
    },
    close: closeAll,
  }
}

/** The same server and credentials, another database. */
function urlFor(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/**
 * CREATE DATABASE, as a copy of `template` when given. Two copies of one template at the same
 * instant collide ("source database is being accessed by other users"): the later one waits its
 * turn. A role without CREATEDB is told what it needs.
 */
async function createDatabase(admin: Database, name: string, template?: string): Promise<void> {
  const sql = `CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.exec(sql)
      return
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === '42501') {
        throw new CallerError(
          'eval_needs_createdb',
          'fte eval on Postgres makes a database for the run and a copy of it per trial: the role ' +
            'of DATABASE_URL needs CREATEDB (ALTER ROLE … CREATEDB), or unset DATABASE_URL to ' +
            'evaluate on the embedded database.',
          { cause: error },
        )
      }
      if (code !== '55006' || attempt >= 40) throw error
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt))
    }
  }
}

/**
 * Databases earlier runs left on the server of `url` (a run killed, or stopped by a second
 * Ctrl-C): every `fte_eval_…` database nobody is connected to and whose run is gone, dropped.
 * Returns their names. A run still going keeps its own: its own connection names it.
 */
export async function dropLeftoverCopies(url: string): Promise<string[]> {
  const admin = await openPostgres({ url, poolMax: 1, applicationName: 'digital-fte eval' })
  try {
    const { rows } = await admin.query<{ name: string }>(
      `SELECT d.datname AS name FROM pg_database d
       WHERE starts_with(d.datname, $1)
         AND NOT EXISTS (
           SELECT 1 FROM pg_stat_activity a
           WHERE a.datname = d.datname
              OR a.application_name = $2 || ' ' || substring(d.datname FROM '^fte_eval_[0-9a-f]+'))
       ORDER BY d.datname DESC`,
      [EVAL_DATABASE_PREFIX, RUN_APPLICATION],
    )
    const dropped: string[] = []
    for (const { name } of rows) {
      if (!/^fte_eval_[0-9a-f]+(_\d+)?$/.test(name)) continue
      await admin.exec(`DROP DATABASE IF EXISTS ${name}`)
      dropped.push(name)
    }
    return dropped
  } finally {
    await admin.close()
  }
}
