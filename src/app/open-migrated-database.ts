import { CallerError } from '../lib/errors.ts'
import { migrationSources } from '../pack/domain-pack.ts'
import { connect } from '../store/connect.ts'
import type { Database } from '../store/database.ts'
import { loadMigrations } from '../store/migration-files.ts'
import { migrationStatus } from '../store/migrator.ts'
import type { Runtime } from './runtime.ts'

/** The configured database, for commands that read it: refused when its schema is behind. */
export async function openMigratedDatabase({ config, logger, pack }: Runtime): Promise<Database> {
  const migrations = await loadMigrations(migrationSources(pack))
  const db = await connect(config.database, logger)
  try {
    const behind = (await migrationStatus(db, migrations)).filter((s) => s.state !== 'applied')
    if (behind.length > 0) {
      throw new CallerError(
        'schema_not_ready',
        `The database schema is not up to date (${behind.length} migrations not applied): ` +
          'run `fte migrate`, or start the server, first.',
      )
    }
    return db
  } catch (error) {
    await db.close()
    throw error
  }
}
