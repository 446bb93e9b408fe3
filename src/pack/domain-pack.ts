import { join } from 'node:path'
import type { DevAccount } from '../auth/dev-server.ts'
import type { Identity } from '../auth/identity.ts'
import { resourceScopes } from '../auth/scopes.ts'
import type { CsvImport } from '../embedding/ingest/csv-import-contract.ts'
import type { Lexicon } from '../embedding/lexicon.ts'
import { packageRoot } from '../lib/package-root.ts'
import type { Database, Queryable } from '../store/database.ts'
import type { MigrationSource } from '../store/migration-files.ts'
import type { ActionClaim } from './action-claims.ts'
import type { JobsPack } from './jobs-contract.ts'
import type { StaffPack } from './staff-contract.ts'
import type { ToolDefinition } from './tool-definition.ts'

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
  /**
   * Scopes of its own beyond the core's `read`, `write` and `staff`, each with what it allows:
   * for tools that need more than `write` (the support pack's `refund`). Every role may be granted
   * them; a tool names one as its `scope`.
   */
  scopes?: Readonly<Record<string, string>>
  /**
   * People of its demo data, by token subject: who examples and development defaults act as (the
   * stand-in user while AUTH_DISABLED, `fte auth token`, the server's banner) unless told otherwise.
   */
  demoPeople?: { customer: string; staff?: string }
  /** Synonyms the local embedder folds for this domain; part of the local model's name. */
  lexicon?: Lexicon
  /** What `fte seed <file.csv>` imports for this domain. */
  csvImport?: CsvImport
  /** The pack's part of the MCP gateway: its `domain_*` tools, rules and persona. */
  gateway?: GatewayPack
  /** The pack's own skills folder (a folder of `<skill>/SKILL.md`). */
  skillsDir?: string
  /** Who the development sign-in offers (demo customers, demo staff). */
  devAccounts?(db: Database): Promise<DevAccount[]>
  /** A first message to suggest (the web UI's message box, `fte ask --help`), without "e.g.". */
  examplePrompt?: string
  /** Its part of the staff console: inbox kinds with their actions, metrics. */
  staff?: StaffPack
  /** Its part of the Worker's own work: whom emails match, envelopes, webhook events, schedules. */
  jobs?: JobsPack
  /** Its shipped evaluation suites: a folder of scenario files, what `fte eval` runs by default. */
  evalsDir?: string
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
  /**
   * What the Worker may say it did only when a call of the same turn did it ("I have cancelled
   * …" needs a successful cancel); a reply making one unbacked is blocked, like an ungrounded id.
   */
  actionClaims?: readonly ActionClaim[]
}

/** The pack's tools that need the consent of the person they act for (`ToolDefinition.consent`). */
export function consentTools(pack: DomainPack, kind?: 'server' | 'host'): string[] {
  return (pack.gateway?.tools ?? [])
    .filter((tool) => (kind === undefined ? tool.consent !== undefined : tool.consent === kind))
    .map((tool) => tool.name)
}

/** Every scope the pack's server grants: the core's and the pack's own. */
export function packScopes(pack: DomainPack): string[] {
  return resourceScopes(Object.keys(pack.scopes ?? {}))
}

export function coreMigrations(): MigrationSource {
  return { name: 'core', dir: join(packageRoot(), 'migrations') }
}

/** Core migrations first, then the pack's. */
export function migrationSources(pack: DomainPack): MigrationSource[] {
  return [coreMigrations(), pack.migrations]
}
