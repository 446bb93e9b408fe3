import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { describe, inject } from 'vitest'
import type { Database } from '../../src/store/database.ts'
import { openPglite } from '../../src/store/pglite-database.ts'
import { openPostgres } from '../../src/store/postgres-database.ts'
import { adminQuery, adminUrl, urlOf } from './scratch-postgres.ts'

/**
 * What a test database holds: nothing, or the core's tables and a pack's. The core's tests run on
 * `fixture` (test/fixture-pack/), the support pack's on `support`.
 */
export type Schema = 'empty' | 'fixture' | 'support'

export interface TestDatabase extends Database {
  /** A URL for another connection to the same database (real Postgres only). */
  readonly url: string | undefined
}

export interface DatabaseTarget {
  name: 'pglite' | 'postgres'
  available: boolean
  /** A fresh, private database: empty, or migrated with the core and a pack. Closing discards it. */
  open(schema: Schema): Promise<TestDatabase>
  /**
   * A database `prepare` fills once, of which each test then opens a fresh, private copy: for a
   * file whose every test starts from the same data that takes longer to build (demo data,
   * embeddings) than a copy takes to open.
   */
  prepare(schema: Schema, prepare: (db: Database) => Promise<void>): Promise<PreparedDatabase>
}

export interface PreparedDatabase {
  /** A fresh, private copy of the prepared database. Closing it discards it. */
  open(): Promise<TestDatabase>
  /** Discards the prepared database. */
  close(): Promise<void>
}

const snapshots = new Map<Schema, Promise<Blob>>()

function snapshot(schema: Schema): Promise<Blob> {
  let loaded = snapshots.get(schema)
  if (loaded === undefined) {
    // Only the database project's global setup builds the snapshots (vitest.config.ts).
    const path = inject('pgliteSnapshots')?.[schema]
    if (path === undefined) throw new Error('a test that opens a database is named *.db.test.ts')
    loaded = readFile(path).then((bytes) => new Blob([bytes]))
    snapshots.set(schema, loaded)
  }
  return loaded
}

async function openPgliteCopy(snapshot: Blob): Promise<TestDatabase> {
  const db = await openPglite({ loadDataDir: snapshot })
  return Object.assign(db, { url: undefined })
}

export const pgliteTarget: DatabaseTarget = {
  name: 'pglite',
  available: true,
  async open(schema) {
    return openPgliteCopy(await snapshot(schema))
  },
  async prepare(schema, prepare) {
    const db = await openPglite({ loadDataDir: await snapshot(schema) })
    try {
      await prepare(db)
      const prepared = await db.dumpDataDir()
      return { open: () => openPgliteCopy(prepared), close: async () => {} }
    } finally {
      await db.close()
    }
  },
}

const postgresTarget: DatabaseTarget = {
  name: 'postgres',
  available: adminUrl !== undefined,
  async open(schema) {
    return openPostgresCopy(template(schema))
  },
  async prepare(schema, prepare) {
    const name = await copyDatabase(template(schema))
    const db = await openPostgres({ url: urlOf(name), poolMax: 20 })
    try {
      await prepare(db)
    } finally {
      // A database is copied only while nobody is connected to it.
      await db.close()
    }
    return {
      open: () => openPostgresCopy(name),
      close: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    }
  },
}

function template(schema: Schema): string {
  const name = inject('postgresTemplates')?.[schema]
  if (name === undefined) throw new Error('the Postgres templates were not built')
  return name
}

/** A new database, a copy of `source`; returns its name. */
async function copyDatabase(source: string): Promise<string> {
  const name = `fte_t_${randomBytes(6).toString('hex')}`
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${source}`)
  return name
}

async function openPostgresCopy(source: string): Promise<TestDatabase> {
  const name = await copyDatabase(source)
  const url = urlOf(name)
  const db = await openPostgres({ url, poolMax: 20 })
  return {
    ...db,
    url,
    close: async () => {
      await db.close()
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}

/** The core's migrations alone, applied: for tests of core tables that need no pack. */
export async function migrateCore(db: Database): Promise<void> {
  const { migrate } = await import('../../src/store/migrator.ts')
  const { loadMigrations } = await import('../../src/store/migration-files.ts')
  const { coreMigrations } = await import('../../src/pack/domain-pack.ts')
  const result = await migrate(db, await loadMigrations([coreMigrations()]))
  if (result.error !== undefined) throw result.error
}

export const databaseTargets: readonly DatabaseTarget[] = [pgliteTarget, postgresTarget]

/**
 * Declares the same suite once per database. Without TEST_DATABASE_URL the Postgres copy is
 * reported as skipped, never as passed.
 */
export function describeEachDatabase(title: string, body: (target: DatabaseTarget) => void): void {
  for (const target of databaseTargets) {
    describe.skipIf(!target.available)(`${title} [${target.name}]`, () => body(target))
  }
}
