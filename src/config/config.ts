import { isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { ConfigError } from '../lib/errors.ts'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  database: {
    /** Set: a Postgres server (node-postgres pool). Unset: the embedded PGlite database. */
    url: string | undefined
    /** Where the embedded database keeps its files; absolute. */
    dataDir: string
    poolMax: number
    connectTimeoutMs: number
  }
  server: { host: string; port: number }
  log: { level: LogLevel; format: 'json' | 'pretty' | undefined }
  /** The domain pack served, e.g. `support`. */
  domain: string
  /** Load the domain pack's demo data when it is missing. */
  demoData: boolean
  embedding: { model: string; dimensions: number }
}

/** Unset and empty both mean "use the default", as a .env copied from .env.example leaves them. */
function setting<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return z
    .preprocess((value) => (value === '' ? undefined : value), schema.optional())
    .transform((value) => (value ?? fallback) as z.output<T>)
}

function optionalSetting<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema.optional())
}

const integer = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error })
}

const lowerCase = (value: unknown) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value

const boolean = z.preprocess(
  lowerCase,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      error: 'must be true or false (1/0 and yes/no also work)',
    })
    .transform((value) => value === 'true' || value === '1' || value === 'yes'),
)

/** Every environment variable the project reads, with its default. `.env.example` documents each. */
export const envSchema = z.object({
  DATABASE_URL: optionalSetting(
    z.string().refine(isPostgresUrl, {
      // Never echo the value: it usually carries a password.
      error: 'must be a postgres:// or postgresql:// connection URL (value not shown)',
    }),
  ),
  FTE_DATA_DIR: setting(z.string(), '.fte'),
  DATABASE_POOL_MAX: setting(integer(1, 1000), 10),
  DATABASE_CONNECT_TIMEOUT_MS: setting(integer(100, 600_000), 10_000),
  HOST: setting(z.string(), '127.0.0.1'),
  PORT: setting(integer(0, 65_535), 3000),
  LOG_LEVEL: setting(
    z.preprocess(
      lowerCase,
      z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    ),
    'info',
  ),
  LOG_FORMAT: optionalSetting(z.enum(['json', 'pretty'], { error: 'must be json or pretty' })),
  FTE_DOMAIN: setting(
    z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'must be a domain pack name such as support' }),
    'support',
  ),
  FTE_DEMO_DATA: setting(boolean, true),
  EMBEDDING_MODEL: setting(
    z.string().max(200, { error: 'must be at most 200 characters' }),
    'fte-local-lexical-v1',
  ),
  EMBEDDING_DIMENSIONS: setting(integer(1, 4000), 384),
})

export type EnvName = keyof typeof envSchema.shape

export interface ParseOptions {
  /** Relative paths resolve against it. */
  cwd: string
  /** The domain packs this build ships; FTE_DOMAIN must name one. */
  domains?: readonly string[]
  /** Variables whose value came from `.env`, so a problem can say where to look. */
  fromFile?: ReadonlySet<string>
}

/**
 * Parses the environment once, at an entry point. Throws a ConfigError that names every problem by
 * variable; values are never echoed.
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: ParseOptions,
): Config {
  const parsed = envSchema.safeParse(env)
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ name: String(issue.path[0]), message: issue.message }))
  const domain = parsed.success ? parsed.data.FTE_DOMAIN : undefined
  if (domain !== undefined && options.domains && !options.domains.includes(domain)) {
    problems.push({
      name: 'FTE_DOMAIN',
      message: `no domain pack named ${domain} (available: ${options.domains.join(', ')})`,
    })
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(
      problems
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(
          (p) => `${p.name}${options.fromFile?.has(p.name) ? ' (from .env)' : ''}: ${p.message}`,
        ),
    )
  }
  const e = parsed.data
  return {
    database: {
      url: e.DATABASE_URL,
      dataDir: isAbsolute(e.FTE_DATA_DIR) ? e.FTE_DATA_DIR : resolve(options.cwd, e.FTE_DATA_DIR),
      poolMax: e.DATABASE_POOL_MAX,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    },
    server: { host: e.HOST, port: e.PORT },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    domain: e.FTE_DOMAIN,
    demoData: e.FTE_DEMO_DATA,
    embedding: { model: e.EMBEDDING_MODEL, dimensions: e.EMBEDDING_DIMENSIONS },
  }
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== ''
  } catch {
    return false
  }
}
