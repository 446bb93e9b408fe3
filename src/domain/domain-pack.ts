import { join } from 'node:path'
import { packageRoot } from '../lib/package-root.ts'
import type { Database } from '../store/database.ts'
import type { MigrationSource } from '../store/migration-files.ts'

export interface DemoDataResult {
  /** Rows inserted per table; all zero when the demo data was already there. */
  inserted: Record<string, number>
}

/**
 * A business domain plugged into the core: its own tables (migrations), and later its tools,
 * rules, persona and skills. The core never imports a pack; entry points wire one in.
 */
export interface DomainPack {
  name: string
  description: string
  migrations: MigrationSource
  /** Loads the pack's demo data when it is missing; safe to call on every start. */
  loadDemoData?(db: Database, options?: { now?: Date }): Promise<DemoDataResult>
}

export function coreMigrations(): MigrationSource {
  return { name: 'core', dir: join(packageRoot(), 'migrations') }
}

/** Core migrations first, then the pack's. */
export function migrationSources(pack: DomainPack): MigrationSource[] {
  return [coreMigrations(), pack.migrations]
}
