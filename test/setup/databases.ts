import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { supportPack } from '../../domains/support/index.ts'
import { migrationSources } from '../../src/pack/domain-pack.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { openPglite } from '../../src/store/pglite-database.ts'
import { openPostgres } from '../../src/store/postgres-database.ts'
import { databaseUrlFor } from '../support/database-url.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteEmptySnapshot: string
    pgliteMigratedSnapshot: string
    postgresEmptyTemplate: string | null
    postgresMigratedTemplate: string | null
  }
}

/**
 * Builds each database once per run — an empty one and one migrated with core + support — so every
 * test starts from a fresh copy in a fraction of the time a new database takes. Only the database
 * project runs it: unit tests open no database, end-to-end tests their own data folders.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'fte-test-'))
  const migrations = await loadMigrations(migrationSources(supportPack))

  const empty = await openPglite()
  const emptyPath = join(dir, 'empty.tar')
  await writeFile(emptyPath, Buffer.from(await (await empty.dumpDataDir()).arrayBuffer()))
  const result = await migrate(empty, migrations)
  if (result.error) throw result.error
  const migratedPath = join(dir, 'migrated.tar')
  await writeFile(migratedPath, Buffer.from(await (await empty.dumpDataDir()).arrayBuffer()))
  await empty.close()
  project.provide('pgliteEmptySnapshot', emptyPath)
  project.provide('pgliteMigratedSnapshot', migratedPath)

  const adminUrl = process.env.TEST_DATABASE_URL
  const templates: string[] = []
  const skipNotice =
    '\nTEST_DATABASE_URL is not set: the real-Postgres half of the database suite is SKIPPED;\n' +
    'only the embedded PGlite half runs. .ci/run sets it up (see README, "Tests").\n\n'
  if (adminUrl === undefined || adminUrl === '') {
    process.stdout.write(skipNotice)
    project.provide('postgresEmptyTemplate', null)
    project.provide('postgresMigratedTemplate', null)
  } else {
    const run = `${process.pid}_${Date.now().toString(36)}`
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    try {
      for (const kind of ['empty', 'migrated'] as const) {
        const name = `fte_tpl_${kind}_${run}`
        await admin.query(`CREATE DATABASE ${name}`)
        templates.push(name)
      }
    } finally {
      await admin.end()
    }
    const migratedName = templates[1] ?? ''
    const db = await openPostgres({ url: databaseUrlFor(adminUrl, migratedName), poolMax: 1 })
    const migrated = await migrate(db, migrations)
    await db.close()
    if (migrated.error) throw migrated.error
    project.provide('postgresEmptyTemplate', templates[0] ?? null)
    project.provide('postgresMigratedTemplate', migratedName)
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
