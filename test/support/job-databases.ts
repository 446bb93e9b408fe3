import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import { supportPack } from '../../domains/support/index.ts'
import { migrationSources } from '../../src/pack/domain-pack.ts'
import type { Database } from '../../src/store/database.ts'
import { openEmbedded } from '../../src/store/embedded.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { databaseTargets } from './test-databases.ts'

/** A database jobs can run on: it offers the driver (the queue brings its own). */
export interface JobTarget {
  name: 'embedded' | 'postgres'
  available: boolean
  /** A fresh database with the support pack's schema and demo data. Closing discards it. */
  open(): Promise<Database>
}

const postgres = databaseTargets.find((target) => target.name === 'postgres')

export const jobTargets: readonly JobTarget[] = [
  {
    // The embedded database as `npm start` holds it: served over its socket, which the queue uses.
    name: 'embedded',
    available: true,
    async open() {
      const dataDir = await mkdtemp(join(tmpdir(), 'fte-jobs-'))
      const db = await openEmbedded({ dataDir })
      const result = await migrate(db, await loadMigrations(migrationSources(supportPack)))
      if (result.error !== undefined) throw result.error
      await supportPack.loadDemoData?.(db)
      return {
        ...db,
        close: async () => {
          await db.close()
          await rm(dataDir, { recursive: true, force: true })
        },
      }
    },
  },
  {
    name: 'postgres',
    available: postgres?.available === true,
    async open() {
      const db = await (postgres as NonNullable<typeof postgres>).open('support')
      await supportPack.loadDemoData?.(db)
      return db
    },
  },
]

/** The same suite on the embedded database and on Postgres (skipped, and said so, without it). */
export function describeEachJobDatabase(title: string, body: (target: JobTarget) => void): void {
  for (const target of jobTargets) {
    describe.skipIf(!target.available)(`${title} [${target.name}]`, () => body(target))
  }
}
