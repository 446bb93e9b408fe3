import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import { ConfigError } from '../lib/errors.ts'
import { MIN_AUDIT_DAYS, type RetentionPolicy } from '../maintenance/retention.ts'
import type { RateLimit } from '../store/rate-limiter.ts'
import { type LlmConfig, llmConfig, llmEnv } from './llm-config.ts'

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
  server: {
    host: string
    port: number
    /** The URL clients reach this server at; tokens are issued for `${publicUrl}/mcp`. */
    publicUrl: string | undefined
  }
  log: { level: LogLevel; format: 'json' | 'pretty' | undefined }
  /** The domain pack served, e.g. `support`. */
  domain: string
  /** Load the domain pack's demo data when it is missing. */
  demoData: boolean
  embedding: EmbeddingConfig
  gateway: GatewayConfig
  auth: AuthConfig
  skills: SkillsConfig
  llm: LlmConfig
  worker: WorkerConfig
  api: ApiConfig
  retention: RetentionConfig
}

export interface RetentionConfig {
  policy: RetentionPolicy
  /** How often `fte serve` applies it; 0: never (run `fte cleanup` from a scheduler instead). */
  intervalMinutes: number
}

export interface ApiConfig {
  /** Origins other than the server's own whose pages may call `/api` (CORS). */
  corsOrigins: string[]
  /** Chat turns (messages and approval decisions) per user per minute, and at once. */
  chatRate: { perMinute: number; burst: number }
}

export interface WorkerConfig {
  /** Model calls in one turn before the run stops. */
  maxTurns: number
  parallelToolCalls: boolean
  /** The longest one gateway or skill call may take, as the Worker waits for it. */
  toolTimeoutMs: number
  /** Tools that wait for a person's approval; undefined: the domain pack's list. */
  approvalTools: string[] | undefined
  /** The longest message accepted from a user, in characters. */
  maxInputChars: number
  /**
   * Where the Worker reaches the gateway: `stdio` (an `fte mcp` subprocess), `in-process`, a
   * remote `/mcp` URL, or `auto` (stdio on a Postgres server, in-process on the embedded database,
   * which one process owns).
   */
  gateway: 'auto' | 'stdio' | 'in-process' | { url: string; token: string | undefined }
}

export interface SkillsConfig {
  /** SKILLS_DIRS: folders of skills replacing the default project and user folders, in order. */
  dirs: string[] | undefined
  /** SKILLS_USER: also scan the user's ~/.claude/skills, ~/.agents/skills, ~/.config/opencode/skills. */
  includeUser: boolean
  /** The most a read_skill_resource call returns. */
  resourceMaxBytes: number
  /** Per-conversation workspaces (the hand-off folder scripts write to); absolute. */
  workspaceDir: string
  /** SKILL_SCRIPTS=true turns run_skill_script on, always inside bubblewrap. */
  scripts:
    | {
        bwrap: string
        timeoutMs: number
        cpuSeconds: number
        memoryBytes: number
        outputBytes: number
      }
    | undefined
}

export interface AuthConfig {
  /** An external issuer (Clerk, Auth0, ...); unset: `fte serve` runs the development one. */
  issuer: string | undefined
  /** The `aud` tokens must carry; unset: one of this server's URLs (`/mcp`'s, or its own). */
  audience: string | undefined
  /** The issuer's key set; unset: read from its discovery metadata. */
  jwksUrl: string | undefined
  /**
   * The web UI's client id at an external issuer (a public client, PKCE, redirect URI the server's
   * own URL + `/`). The development server registers its own.
   */
  webClientId: string | undefined
  /** AUTH_DEV_PORT; unset: the server's port + 1 (see devPortFor). */
  devPort: number | undefined
  /**
   * AUTH_DISABLED: no sign-in, everyone is this stand-in. For a personal demo on loopback only;
   * `allowNetwork` (AUTH_DISABLED_ALLOW_NETWORK) lets it bind elsewhere.
   */
  disabled: { sub: string; role: 'staff' | 'customer'; allowNetwork: boolean } | undefined
}

export interface GatewayConfig {
  /** Signs session handles; unset: a key kept in the database, shared by every replica on it. */
  sessionSecret: string | undefined
  sessionTtlSeconds: number
  /** Per tool call: the statement timeout and the whole call's limit. */
  toolTimeoutMs: number
  /** Tool calls one identity may have running at once, in one process. */
  maxConcurrentPerIdentity: number
  /** Tool calls one identity may make per minute, counted in Postgres across every replica. */
  rateLimit: RateLimit | undefined
  /** Who `fte mcp` (stdio) acts as: the local operator. */
  stdio: { sub: string; role: 'staff' | 'customer' }
}

export type EmbeddingConfig =
  | { provider: 'local'; model: string; dimensions: number }
  | {
      provider: 'openai'
      model: string
      dimensions: number
      baseUrl: string
      apiKey: string | undefined
      timeoutMs: number
      maxRetries: number
      batchSize: number
    }

/** The local embedder's model name; other names need EMBEDDING_PROVIDER=openai. */
export const LOCAL_EMBEDDING_MODEL = 'fte-local-lexical-v1'
const OPENAI_BASE_URL = 'https://api.openai.com/v1'
/** Dimensions of well-known models, so EMBEDDING_DIMENSIONS can stay unset for them. */
const KNOWN_DIMENSIONS: Readonly<Record<string, number>> = {
  [LOCAL_EMBEDDING_MODEL]: 1024,
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'nomic-embed-text': 768,
  'mxbai-embed-large': 1024,
  'all-minilm': 384,
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

/** A sign-in subject as tokens carry it (`sub`). */
const subject = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, { error: 'must be 1-255 printable characters' })

const role = z.enum(['staff', 'customer'], { error: 'must be staff or customer' })

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
  PUBLIC_URL: optionalSetting(
    z
      .string()
      .refine(isHttpUrl, { error: 'must be an http:// or https:// URL' })
      .transform((url) => url.replace(/\/+$/, '')),
  ),
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
  EMBEDDING_PROVIDER: setting(
    z.enum(['local', 'openai'], { error: 'must be local or openai (any OpenAI-compatible API)' }),
    'local',
  ),
  EMBEDDING_MODEL: optionalSetting(
    z.string().max(200, { error: 'must be at most 200 characters' }),
  ),
  EMBEDDING_DIMENSIONS: optionalSetting(integer(1, 4000)),
  EMBEDDING_BASE_URL: setting(
    z.string().refine(isHttpUrl, { error: 'must be an http:// or https:// URL' }),
    OPENAI_BASE_URL,
  ),
  EMBEDDING_API_KEY: optionalSetting(z.string()),
  OPENAI_API_KEY: optionalSetting(z.string()),
  EMBEDDING_TIMEOUT_MS: setting(integer(100, 600_000), 30_000),
  EMBEDDING_MAX_RETRIES: setting(integer(0, 10), 4),
  EMBEDDING_BATCH_SIZE: setting(integer(1, 2048), 96),
  SESSION_SECRET: optionalSetting(
    z.string().min(32, { error: 'must be at least 32 characters (value not shown)' }),
  ),
  SESSION_TTL_SECONDS: setting(integer(60, 86_400), 1800),
  TOOL_TIMEOUT_MS: setting(integer(100, 120_000), 5000),
  MCP_MAX_CONCURRENT_PER_IDENTITY: setting(integer(1, 1000), 8),
  MCP_RATE_LIMIT: setting(integer(0, 1_000_000), 600),
  MCP_RATE_BURST: setting(integer(1, 10_000), 120),
  // Kept exactly as given: tokens must name it character for character (Auth0's ends in '/').
  AUTH_ISSUER: optionalSetting(
    z.string().refine(isHttpUrl, { error: 'must be an http:// or https:// URL' }),
  ),
  AUTH_AUDIENCE: optionalSetting(z.string().min(1).max(500)),
  AUTH_WEB_CLIENT_ID: optionalSetting(z.string().min(1).max(500)),
  AUTH_JWKS_URL: optionalSetting(
    z.string().refine(isHttpUrl, { error: 'must be an http:// or https:// URL' }),
  ),
  AUTH_DEV_PORT: optionalSetting(integer(0, 65_535)),
  AUTH_DISABLED: setting(boolean, false),
  AUTH_DISABLED_SUB: setting(subject, 'demo|maya-okafor'),
  AUTH_DISABLED_ROLE: setting(role, 'customer'),
  AUTH_DISABLED_ALLOW_NETWORK: setting(boolean, false),
  SKILLS_DIRS: optionalSetting(z.string()),
  SKILLS_USER: setting(boolean, true),
  SKILL_RESOURCE_MAX_BYTES: setting(integer(1024, 10_485_760), 262_144),
  SKILL_SCRIPTS: setting(boolean, false),
  SKILL_SCRIPT_TIMEOUT_MS: setting(integer(100, 600_000), 10_000),
  SKILL_SCRIPT_CPU_SECONDS: setting(integer(1, 600), 5),
  SKILL_SCRIPT_MEMORY_MB: setting(integer(16, 65_536), 512),
  SKILL_SCRIPT_OUTPUT_BYTES: setting(integer(1024, 10_485_760), 65_536),
  BWRAP_PATH: setting(z.string().min(1), 'bwrap'),
  MCP_STDIO_SUB: setting(subject, 'local|operator'),
  MCP_STDIO_ROLE: setting(role, 'staff'),
  ...llmEnv,
  WORKER_MAX_TURNS: setting(integer(1, 100), 12),
  WORKER_PARALLEL_TOOL_CALLS: setting(boolean, false),
  WORKER_TOOL_TIMEOUT_MS: setting(integer(100, 600_000), 30_000),
  WORKER_APPROVAL_TOOLS: optionalSetting(
    z.string().regex(/^\s*(none|[a-z_][a-z0-9_]*(\s*,\s*[a-z_][a-z0-9_]*)*)\s*$/, {
      error: 'must be tool names separated by commas, or none',
    }),
  ),
  WORKER_MAX_INPUT_CHARS: setting(integer(100, 100_000), 5000),
  WORKER_GATEWAY: setting(
    z.union(
      [
        z.enum(['auto', 'stdio', 'in-process']),
        z
          .string()
          .refine(isHttpUrl, { error: 'must be auto, stdio, in-process or an http(s) URL' }),
      ],
      { error: 'must be auto, stdio, in-process or the http(s) URL of a gateway’s /mcp' },
    ),
    'auto',
  ),
  WORKER_GATEWAY_TOKEN: optionalSetting(z.string().min(1)),
  CORS_ORIGINS: optionalSetting(
    z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((origin) => origin.trim().replace(/\/+$/, ''))
          .filter((origin) => origin !== ''),
      )
      .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), {
        error: 'must be origins such as https://app.example.com, separated by commas',
      }),
  ),
  CHAT_RATE_LIMIT: setting(integer(1, 100_000), 20),
  CHAT_RATE_BURST: setting(integer(1, 1000), 5),
  MESSAGE_RETENTION_HOURS: setting(integer(1, 24 * 365 * 100), 48),
  AUDIT_RETENTION_DAYS: setting(integer(MIN_AUDIT_DAYS, 365 * 100), 365),
  IDEMPOTENCY_RETENTION_HOURS: setting(integer(1, 24 * 365), 24),
  CLEANUP_INTERVAL_MINUTES: setting(integer(0, 7 * 24 * 60), 60),
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
  const problems: Problem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ name: String(issue.path[0]), message: issue.message }))
  const domain = parsed.success ? parsed.data.FTE_DOMAIN : undefined
  if (domain !== undefined && options.domains && !options.domains.includes(domain)) {
    problems.push({
      name: 'FTE_DOMAIN',
      message: `no domain pack named ${domain} (available: ${options.domains.join(', ')})`,
    })
  }
  if (parsed.success && parsed.data.AUTH_DISABLED && parsed.data.AUTH_ISSUER !== undefined) {
    problems.push({
      name: 'AUTH_DISABLED',
      message: 'cannot be combined with AUTH_ISSUER: unset one of them',
    })
  }
  const embedding = parsed.success ? embeddingConfig(parsed.data, problems) : undefined
  const llm = parsed.success ? llmConfig(parsed.data, problems) : undefined
  if (!parsed.success || problems.length > 0 || embedding === undefined || llm === undefined) {
    throw new ConfigError(
      problems
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(
          (p) => `${p.name}${options.fromFile?.has(p.name) ? ' (from .env)' : ''}: ${p.message}`,
        ),
    )
  }
  const e = parsed.data
  const dataDir = isAbsolute(e.FTE_DATA_DIR) ? e.FTE_DATA_DIR : resolve(options.cwd, e.FTE_DATA_DIR)
  return {
    database: {
      url: e.DATABASE_URL,
      dataDir,
      poolMax: e.DATABASE_POOL_MAX,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    },
    server: { host: e.HOST, port: e.PORT, publicUrl: e.PUBLIC_URL },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    domain: e.FTE_DOMAIN,
    demoData: e.FTE_DEMO_DATA,
    embedding,
    gateway: {
      sessionSecret: e.SESSION_SECRET,
      sessionTtlSeconds: e.SESSION_TTL_SECONDS,
      toolTimeoutMs: e.TOOL_TIMEOUT_MS,
      maxConcurrentPerIdentity: e.MCP_MAX_CONCURRENT_PER_IDENTITY,
      rateLimit:
        e.MCP_RATE_LIMIT === 0
          ? undefined
          : { perMinute: e.MCP_RATE_LIMIT, burst: e.MCP_RATE_BURST },
      stdio: { sub: e.MCP_STDIO_SUB, role: e.MCP_STDIO_ROLE },
    },
    auth: {
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      jwksUrl: e.AUTH_JWKS_URL,
      webClientId: e.AUTH_WEB_CLIENT_ID,
      devPort: e.AUTH_DEV_PORT,
      disabled: e.AUTH_DISABLED
        ? {
            sub: e.AUTH_DISABLED_SUB,
            role: e.AUTH_DISABLED_ROLE,
            allowNetwork: e.AUTH_DISABLED_ALLOW_NETWORK,
          }
        : undefined,
    },
    skills: {
      dirs: e.SKILLS_DIRS?.split(delimiter)
        .map((dir) => dir.trim())
        .filter((dir) => dir !== '')
        .map((dir) => resolve(options.cwd, dir)),
      includeUser: e.SKILLS_USER,
      resourceMaxBytes: e.SKILL_RESOURCE_MAX_BYTES,
      workspaceDir: join(dataDir, 'workspaces'),
      scripts: e.SKILL_SCRIPTS
        ? {
            bwrap: e.BWRAP_PATH,
            timeoutMs: e.SKILL_SCRIPT_TIMEOUT_MS,
            cpuSeconds: e.SKILL_SCRIPT_CPU_SECONDS,
            memoryBytes: e.SKILL_SCRIPT_MEMORY_MB * 1024 * 1024,
            outputBytes: e.SKILL_SCRIPT_OUTPUT_BYTES,
          }
        : undefined,
    },
    llm,
    worker: {
      maxTurns: e.WORKER_MAX_TURNS,
      parallelToolCalls: e.WORKER_PARALLEL_TOOL_CALLS,
      toolTimeoutMs: e.WORKER_TOOL_TIMEOUT_MS,
      approvalTools:
        e.WORKER_APPROVAL_TOOLS === undefined
          ? undefined
          : e.WORKER_APPROVAL_TOOLS.trim() === 'none'
            ? []
            : e.WORKER_APPROVAL_TOOLS.split(',').map((name) => name.trim()),
      maxInputChars: e.WORKER_MAX_INPUT_CHARS,
      gateway:
        e.WORKER_GATEWAY === 'auto' ||
        e.WORKER_GATEWAY === 'stdio' ||
        e.WORKER_GATEWAY === 'in-process'
          ? e.WORKER_GATEWAY
          : { url: e.WORKER_GATEWAY, token: e.WORKER_GATEWAY_TOKEN },
    },
    api: {
      corsOrigins: e.CORS_ORIGINS ?? [],
      chatRate: { perMinute: e.CHAT_RATE_LIMIT, burst: e.CHAT_RATE_BURST },
    },
    retention: {
      policy: {
        messageHours: e.MESSAGE_RETENTION_HOURS,
        auditDays: e.AUDIT_RETENTION_DAYS,
        idempotencyHours: e.IDEMPOTENCY_RETENTION_HOURS,
      },
      intervalMinutes: e.CLEANUP_INTERVAL_MINUTES,
    },
  }
}

/**
 * The development authorization server's loopback port: AUTH_DEV_PORT, or the port the server
 * listens on + 1 (any free port when that is 0).
 */
export function devPortFor(auth: AuthConfig, serverPort: number): number {
  return auth.devPort ?? (serverPort === 0 || serverPort === 65_535 ? 0 : serverPort + 1)
}

/** The development authorization server's issuer URL (its tokens' `iss`). */
export function devIssuerUrl(auth: AuthConfig, serverPort: number): string {
  return `http://127.0.0.1:${devPortFor(auth, serverPort)}`
}

type Problem = { name: string; message: string }

/** Where clients reach the server: PUBLIC_URL, or http://HOST:PORT. */
export function publicUrl(server: Config['server'], port = server.port): string {
  if (server.publicUrl !== undefined) return server.publicUrl
  const host = server.host.includes(':') ? `[${server.host}]` : server.host
  return `http://${host}:${port}`
}

function embeddingConfig(
  e: z.output<typeof envSchema>,
  problems: Problem[],
): EmbeddingConfig | undefined {
  if (e.EMBEDDING_PROVIDER === 'local') {
    const model = e.EMBEDDING_MODEL ?? LOCAL_EMBEDDING_MODEL
    if (model !== LOCAL_EMBEDDING_MODEL) {
      problems.push({
        name: 'EMBEDDING_MODEL',
        message: `the local embedder is ${LOCAL_EMBEDDING_MODEL}; for ${model} set EMBEDDING_PROVIDER=openai`,
      })
      return undefined
    }
    return { provider: 'local', model, dimensions: e.EMBEDDING_DIMENSIONS ?? 1024 }
  }
  const model = e.EMBEDDING_MODEL ?? 'text-embedding-3-small'
  const dimensions = e.EMBEDDING_DIMENSIONS ?? KNOWN_DIMENSIONS[model]
  const apiKey = e.EMBEDDING_API_KEY ?? e.OPENAI_API_KEY
  if (dimensions === undefined) {
    problems.push({
      name: 'EMBEDDING_DIMENSIONS',
      message: `required for ${model} (the length of the vectors it returns)`,
    })
  }
  if (apiKey === undefined && e.EMBEDDING_BASE_URL === OPENAI_BASE_URL) {
    problems.push({
      name: 'EMBEDDING_API_KEY',
      message: 'required for the OpenAI API (or set OPENAI_API_KEY)',
    })
  }
  if (dimensions === undefined) return undefined
  return {
    provider: 'openai',
    model,
    dimensions,
    baseUrl: e.EMBEDDING_BASE_URL,
    apiKey,
    timeoutMs: e.EMBEDDING_TIMEOUT_MS,
    maxRetries: e.EMBEDDING_MAX_RETRIES,
    batchSize: e.EMBEDDING_BATCH_SIZE,
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
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
