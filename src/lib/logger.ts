import { type Logger, pino } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const REDACTED_PATHS = [
  'password',
  'connectionString',
  'databaseUrl',
  'authorization',
  'token',
  'accessToken',
  'apiKey',
  'secret',
  '*.password',
  '*.connectionString',
  '*.databaseUrl',
  '*.authorization',
  '*.token',
  '*.accessToken',
  '*.apiKey',
  '*.secret',
  'headers.authorization',
  '*.headers.authorization',
]

export interface LoggerOptions {
  level: LogLevel
  /** `pretty` for people, `json` for machines; unset picks pretty on a terminal. */
  format?: 'json' | 'pretty' | undefined
  /** Where lines go; stderr by default so stdout stays clean for command output. */
  destination?: NodeJS.WritableStream
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr
  const usePretty =
    options.format === 'pretty' ||
    (options.format === undefined && (destination as { isTTY?: boolean }).isTTY === true)
  const base = {
    level: options.level,
    base: { name: 'fte' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }
  if (!usePretty) return pino(base, destination)
  return pino(
    base,
    pretty({ destination, sync: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss' }),
  )
}

/** `postgres://user:***@host:port/db`: a database URL safe to log or print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    parsed.search = ''
    return parsed.toString()
  } catch {
    return '[unparseable url]'
  }
}
