import { migrationSources } from '../../pack/domain-pack.ts'
import { connect } from '../../store/connect.ts'
import { loadMigrations } from '../../store/migration-files.ts'
import { migrate, migrationStatus } from '../../store/migrator.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

export interface MigrateOptions {
  status?: boolean
  json?: boolean
}

/** `fte migrate`: applies pending migrations. `--status`: shows each migration's state. */
export async function migrateCommand(
  context: CliContext,
  options: MigrateOptions,
): Promise<number> {
  const { config, logger, pack } = loadRuntime(context)
  const out = (text: string) => context.stdout.write(text)
  const migrations = await loadMigrations(migrationSources(pack))
  const db = await connect(config.database, logger)
  try {
    if (options.status) {
      const statuses = await migrationStatus(db, migrations)
      if (options.json) {
        out(`${JSON.stringify(statuses, null, 2)}\n`)
      } else {
        const width = Math.max(...statuses.map((s) => s.id.length), 9)
        out(`${'STATE'.padEnd(9)}${'MIGRATION'.padEnd(width + 2)}APPLIED AT\n`)
        for (const s of statuses) {
          out(`${s.state.padEnd(9)}${s.id.padEnd(width + 2)}${s.appliedAt?.toISOString() ?? ''}\n`)
        }
        const pending = statuses.filter((s) => s.state === 'pending').length
        out(`\n${db.description}: ${statuses.length - pending} applied, ${pending} pending\n`)
      }
      return statuses.some((s) => s.state === 'changed' || s.state === 'missing') ? 1 : 0
    }

    const result = await migrate(db, migrations, (m, ms) => {
      if (!options.json) out(`applied  ${m.id}  (${Math.round(ms)} ms)\n`)
    })
    if (options.json) {
      out(
        `${JSON.stringify(
          {
            applied: result.applied.map((m) => m.id),
            alreadyApplied: result.alreadyApplied,
            error: result.error && { code: result.error.code, message: result.error.message },
          },
          null,
          2,
        )}\n`,
      )
    }
    if (result.error !== undefined) throw result.error
    if (!options.json) {
      out(
        result.applied.length === 0
          ? `${db.description}: up to date (${result.alreadyApplied} migrations applied)\n`
          : `${db.description}: applied ${result.applied.length}, ${result.alreadyApplied} were already applied\n`,
      )
    }
    return 0
  } finally {
    await db.close()
  }
}
