import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { supportPack } from '../../domains/support/index.ts'
import { coreMigrations, type DomainPack, migrationSources } from '../../src/pack/domain-pack.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { openPglite } from '../../src/store/pglite-database.ts'
import { openPostgres } from '../../src/store/postgres-database.ts'
import { fixturePack } from '../fixture-pack/index.ts'
import { databaseUrlFor } from '../support/database-url.ts'
import type { Schema } from '../support/test-databases.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshots: Record<Schema, string>
    postgresTemplates: Record<Schema, string> | null
  }
}

/**
 * What each migrated schema holds besides the core's tables: the core's tests run on the fixture
 * pack, the support pack's own tests on the support pack.
 */
const PACKS: Record<Exclude<Schema, 'empty'>, DomainPack> = {
  fixture: fixturePack,
  support: supportPack,
}

/**
 * Builds each database once per run — an empty one, and one migrated with the core and each pack
 * of PACKS — so every test starts from a fresh copy in a fraction of the time a new database
 * takes. Only the database project runs it: unit tests open no database, end-to-end tests their
 * own data folders.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'fte-test-'))
  const packs = Object.entries(PACKS) as Array<[Exclude<Schema, 'empty'>, DomainPack]>

  // The core's migrations once; each pack's on a copy of the result.
  const db = await openPglite()
  const empty = await db.dumpDataDir()
  const core = await migrate(db, await loadMigrations([coreMigrations()]))
  if (core.error) throw core.error
  const migratedCore = await db.dumpDataDir()
  await db.close()
  const snapshots: Partial<Record<Schema, string>> = { empty: await save(dir, 'empty', empty) }
  for (const [schema, pack] of packs) {
    const copy = await openPglite({ loadDataDir: migratedCore })
    const migrated = await migrate(copy, await loadMigrations(migrationSources(pack)))
    if (migrated.error) throw migrated.error
    snapshots[schema] = await save(dir, schema, await copy.dumpDataDir())
    await copy.close()
  }
  project.provide('pgliteSnapshots', snapshots as Record<Schema, string>)

  const adminUrl = process.env.TEST_DATABASE_URL
  const templates: string[] = []
  const skipNotice =
    '\nTEST_DATABASE_URL is not set: the real-Postgres half of the database suite is SKIPPED;\n' +
    'only the embedded PGlite half runs. .ci/run sets it up (see README, "Tests").\n\n'
  if (adminUrl === undefined || adminUrl === '') {
    process.stdout.write(skipNotice)
    project.provide('postgresTemplates', null)
  } else {
    const run = `${process.pid}_${Date.now().toString(36)}`
    const names: Partial<Record<Schema, string>> = {}
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    try {
      for (const schema of ['empty', ...packs.map(([s]) => s)] as const) {
        const name = `fte_tpl_${schema}_${run}`
        await admin.query(`CREATE DATABASE ${name}`)
        templates.push(name)
        names[schema] = name
      }
    } finally {
      await admin.end()
    }
    for (const [schema, pack] of packs) {
      const template = await openPostgres({
        url: databaseUrlFor(adminUrl, names[schema] ?? ''),
        poolMax: 1,
      })
      const migrated = await migrate(template, await loadMigrations(migrationSources(pack)))
      await template.close()
      if (migrated.error) throw migrated.error
    }
    project.provide('postgresTemplates', names as Record<Schema, string>)
  }

  return async () => {
    await rm(dir, { recursive: true, force: true })
    // Said again at the end, where the skipped count is, so it does not scroll away.
    if (!adminUrl) process.stdout.write(skipNotice)
    if (adminUrl && templates.length > 0) {
      const admin = new pg.Client({ connectionString: adminUrl })
      await admin.connect()
      for (const name of templates)
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  }
}

/** Writes a PGlite data folder dump to `dir`; its path. */
async function save(dir: string, schema: Schema, dump: Blob): Promise<string> {
  const path = join(dir, `${schema}.tar`)
  await writeFile(path, Buffer.from(await dump.arrayBuffer()))
  return path
}
