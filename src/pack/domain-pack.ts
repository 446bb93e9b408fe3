import { join } from 'node:path'
import type { DevAccount } from '../auth/dev-server.ts'
import type { Identity } from '../auth/identity.ts'
import type { ToolDefinition } from '../gateway/gateway-tool.ts'
import { packageRoot } from '../lib/package-root.ts'
import type { Database, Queryable } from '../store/database.ts'
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
  /** What `fte seed <file.csv>` imports for this domain. */
  csvImport?: CsvImport
  /** The pack's part of the MCP gateway: its `domain_*` tools, rules and persona. */
  gateway?: GatewayPack
  /** The pack's own skills folder (a folder of `<skill>/SKILL.md`). */
  skillsDir?: string
  /** Who the development sign-in offers (demo customers, demo staff). */
  devAccounts?(db: Database): Promise<DevAccount[]>
  /** A first message to suggest in the web UI's message box. */
  examplePrompt?: string
}

export interface GatewayPack {
  /** Who the Worker is for this domain, in a paragraph. */
  persona: string
  /** The domain's rules, after the core's (which include the fail-closed paragraph). */
  rules: string
  /** Its `domain_*` and `user_*` tools; what they need from the core arrives in their context. */
  tools: readonly ToolDefinition[]
  /**
   * Called by `begin_session` inside its transaction, after the `users` row is upserted: links the
   * signed-in person to the pack's own records (support: a customer row, by verified email).
   */
  linkIdentity?(tx: Queryable, identity: Identity): Promise<void>
  /** Tools the Worker runs only after a person approves the call (WORKER_APPROVAL_TOOLS overrides). */
  approvalTools?: readonly string[]
}

/** One data row of a CSV file: its line number in the file and its fields by column name. */
export interface CsvRecord {
  line: number
  fields: Readonly<Record<string, string>>
}

/** A row that cannot be imported, and why, in words for the person who wrote the file. */
export interface RowProblem {
  line: number
  reason: string
}

export interface CsvImportResult {
  /** Rows inserted per table. */
  inserted: Record<string, number>
  /** Rows already in the database exactly as the file has them: nothing to do. */
  unchanged: number
  /** Rows refused: invalid, repeated in the file, or contradicting what the database holds. */
  problems: RowProblem[]
}

/**
 * A pack's CSV import: the pack knows its columns and tables; the core reads the file, runs the
 * import in a transaction, embeds the documents it added, reports progress and audits the run.
 */
export interface CsvImport {
  /** What one row is, for help and messages: "a resolved support ticket". */
  row: string
  requiredColumns: readonly string[]
  optionalColumns: readonly string[]
  /** The document sources the import adds to; their new documents are embedded afterwards. */
  sources: readonly string[]
  /**
   * Checks every record, then writes the good ones inside `tx`. A row already present exactly as
   * given counts as unchanged, so importing the same file twice adds nothing.
   */
  importRecords(tx: Queryable, records: readonly CsvRecord[]): Promise<CsvImportResult>
}

export function coreMigrations(): MigrationSource {
  return { name: 'core', dir: join(packageRoot(), 'migrations') }
}

/** Core migrations first, then the pack's. */
export function migrationSources(pack: DomainPack): MigrationSource[] {
  return [coreMigrations(), pack.migrations]
}
