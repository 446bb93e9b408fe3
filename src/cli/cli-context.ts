import { domainPacks } from '../../domains/index.ts'
import type { Runtime } from '../app/runtime.ts'
import { parseConfig } from '../config/config.ts'
import { readEnvironment } from '../config/load-env.ts'
import { InternalError } from '../lib/errors.ts'
import { createLogger } from '../lib/logger.ts'
import type { DomainPack } from '../pack/domain-pack.ts'

/** What a command may touch of the outside world; tests pass their own. */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Read by `fte mcp` (the stdio transport); process.stdin when unset. */
  stdin?: NodeJS.ReadableStream
  /** Aborting it stops a long-running command such as `serve`. */
  signal?: AbortSignal
}

/**
 * Reads `.env` and the environment once, parses them, and picks the domain pack. Logs are the
 * output of a `service` (`fte serve`, `fte mcp`, the sign-in server): they log at LOG_LEVEL (info
 * by default). Any other command talks to a person at a terminal, where log lines would drown its
 * output: it logs only warnings unless LOG_LEVEL is set.
 */
export function loadRuntime(context: CliContext, options: { service?: boolean } = {}): Runtime {
  const env = readEnvironment(context.cwd, context.env)
  const config = parseConfig(env.values, {
    cwd: context.cwd,
    domains: Object.keys(domainPacks),
    fromFile: env.fromFile,
  })
  const explicit = env.values.LOG_LEVEL !== undefined && env.values.LOG_LEVEL !== ''
  const logger = createLogger({
    level: options.service === true || explicit ? config.log.level : 'warn',
    format: config.log.format,
    destination: context.stderr,
  })
  const pack = domainPacks[config.domain]
  if (pack === undefined) throw new InternalError('internal', `no domain pack ${config.domain}`)
  return { config, logger, pack, host: { cwd: context.cwd, env: context.env } }
}

/** The names of the domain packs this build ships (`FTE_DOMAIN`'s choices). */
export function knownDomains(): string[] {
  return Object.keys(domainPacks)
}

/**
 * The pack help texts speak of: the configured one, or the default pack while the configuration
 * cannot be read (help must still print, and the error shows when a command runs).
 */
export function packForHelp(context: CliContext): DomainPack {
  try {
    return loadRuntime(context).pack
  } catch {
    const fallback = domainPacks[parseConfig({}, { cwd: context.cwd }).domain]
    if (fallback === undefined) throw new InternalError('internal', 'no default domain pack')
    return fallback
  }
}
