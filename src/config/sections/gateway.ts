import { z } from 'zod'
import { integer, optionalSetting, role, setting, subject } from '../settings.ts'

export const gatewaySection = z
  .object({
    SESSION_SECRET: optionalSetting(
      z.string().min(32, { error: 'must be at least 32 characters (value not shown)' }),
    ),
    SESSION_TTL_SECONDS: setting(integer(60, 86_400), 1800),
    TOOL_TIMEOUT_MS: setting(integer(100, 120_000), 5000),
    MCP_CONSENT_TIMEOUT_MS: setting(integer(1000, 3_600_000), 120_000),
    MCP_MAX_CONCURRENT_PER_IDENTITY: setting(integer(1, 1000), 8),
    MCP_RATE_LIMIT: setting(integer(0, 1_000_000), 600),
    MCP_RATE_BURST: setting(integer(1, 10_000), 120),
    MCP_STDIO_SUB: setting(subject, 'local|operator'),
    MCP_STDIO_ROLE: setting(role, 'staff'),
  })
  .transform((e) => ({
    /** Signs session handles; unset: a key kept in the database, shared by every replica on it. */
    sessionSecret: e.SESSION_SECRET,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    /** Per tool call: the statement timeout and the whole call's limit. */
    toolTimeoutMs: e.TOOL_TIMEOUT_MS,
    /** How long a person has to answer the gateway's own question about a call; then it is a no. */
    consentTimeoutMs: e.MCP_CONSENT_TIMEOUT_MS,
    /** Tool calls one identity may have running at once, in one process. */
    maxConcurrentPerIdentity: e.MCP_MAX_CONCURRENT_PER_IDENTITY,
    /** Tool calls one identity may make per minute, counted in Postgres across every replica. */
    rateLimit:
      e.MCP_RATE_LIMIT === 0 ? undefined : { perMinute: e.MCP_RATE_LIMIT, burst: e.MCP_RATE_BURST },
    /** Who `fte mcp` (stdio) acts as: the local operator. */
    stdio: { sub: e.MCP_STDIO_SUB, role: e.MCP_STDIO_ROLE },
  }))

export type GatewayConfig = z.output<typeof gatewaySection>
