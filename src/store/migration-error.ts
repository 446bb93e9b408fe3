import { CallerError, SystemError } from '../lib/errors.ts'

/**
 * The migrations cannot be applied as they are: a file badly named or unreadable, an applied one
 * changed or missing. Someone must fix the files (or the code version), not retry.
 */
export class MigrationError extends CallerError {
  /** `source/NNN_name.sql` of the migration concerned, when there is one. */
  readonly migration: string | undefined

  constructor(
    code: 'migration_changed' | 'migration_missing' | 'migration_invalid',
    message: string,
    options: { migration?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause })
    this.migration = options.migration
  }
}

/** A migration's SQL failed against the database; its transaction rolled back. */
export class MigrationFailedError extends SystemError {
  /** `source/NNN_name.sql` of the migration that failed. */
  readonly migration: string

  constructor(message: string, options: { migration: string; cause: unknown }) {
    super('migration_failed', message, { cause: options.cause })
    this.migration = options.migration
  }
}
