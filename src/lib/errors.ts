/**
 * One error family with stable string codes. The class says whose fault it is, so an entry point
 * picks the exit code, the HTTP status or the MCP answer from the class and the code alone:
 * `CallerError` (the caller must change something: its input, its configuration, what it asks
 * for), `SystemError` (a dependency such as the database or a provider failed), `InternalError`
 * (a bug). Rare codes use a base class as it is; a common code, or one that carries detail, has
 * its own subclass.
 */
export type ErrorFault = 'caller' | 'system' | 'internal'

export abstract class FteError extends Error {
  readonly code: string

  /** Whose fault the error is; derived from the class, never chosen per error. */
  abstract get fault(): ErrorFault

  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
  }
}

/** The caller must change something; the message says what, so it may be shown as it is. */
export class CallerError extends FteError {
  override get fault(): ErrorFault {
    return 'caller'
  }
}

/** A dependency failed (database, provider, sandbox, a time limit): nobody's input was wrong. */
export class SystemError extends FteError {
  override get fault(): ErrorFault {
    return 'system'
  }
}

/** A bug: the program broke one of its own rules. */
export class InternalError extends FteError {
  override get fault(): ErrorFault {
    return 'internal'
  }
}

/** Input that cannot be accepted as it is: an argument, a file, a tool's arguments. */
export class InvalidInputError extends CallerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('invalid_input', message, options)
  }
}

export class NotFoundError extends CallerError {
  constructor(message: string) {
    super('not_found', message)
  }
}

/** The caller is who they say, but may not do this (a customer deciding what only staff may). */
export class ForbiddenError extends CallerError {
  constructor(message: string) {
    super('forbidden', message)
  }
}

/** What the caller asks clashes with what exists: a name taken, a key reused, a state passed. */
export class ConflictError extends CallerError {
  constructor(message: string) {
    super('conflict', message)
  }
}

/** Invalid configuration; `problems` lists every problem, one line each, never a secret value. */
export class ConfigError extends CallerError {
  readonly problems: readonly string[]

  constructor(message: string, problems: readonly string[] = [message]) {
    super('config_invalid', message)
    this.problems = problems
  }

  /** One error naming every problem found, so the operator fixes them all in one go. */
  static listing(problems: readonly string[]): ConfigError {
    return new ConfigError(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    )
  }
}

export class DatabaseUnavailableError extends SystemError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('database_unavailable', message, options)
  }
}

/** The message of any thrown value, for logs and user-facing lines. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
