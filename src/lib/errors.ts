/**
 * One error family with stable string codes. `fault` says whose fault it is, so an entry point can
 * pick the exit code and the words: `caller` (bad configuration or input), `system` (a dependency
 * such as the database failed), `internal` (a bug).
 */
export type ErrorFault = 'caller' | 'system' | 'internal'

export class FteError extends Error {
  readonly code: string
  readonly fault: ErrorFault

  constructor(
    code: string,
    message: string,
    options: { fault?: ErrorFault; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.fault = options.fault ?? 'system'
  }
}

/** Invalid configuration; `problems` lists every problem, one line each, never a secret value. */
export class ConfigError extends FteError {
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(
      'config_invalid',
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      {
        fault: 'caller',
      },
    )
    this.problems = problems
  }
}

export class DatabaseUnavailableError extends FteError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('database_unavailable', message, { fault: 'system', ...options })
  }
}

export class MigrationError extends FteError {
  /** `source/NNN_name.sql` of the migration concerned, when there is one. */
  readonly migration: string | undefined

  constructor(
    code: 'migration_changed' | 'migration_missing' | 'migration_failed' | 'migration_invalid',
    message: string,
    options: { migration?: string; cause?: unknown } = {},
  ) {
    super(code, message, {
      fault: code === 'migration_failed' ? 'system' : 'caller',
      cause: options.cause,
    })
    this.migration = options.migration
  }
}

export class NotFoundError extends FteError {
  constructor(message: string) {
    super('not_found', message, { fault: 'caller' })
  }
}

/** The message of any thrown value, for logs and user-facing lines. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
