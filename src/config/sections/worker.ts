import { z } from 'zod'
import { boolean, integer, isHttpUrl, optionalSetting, setting } from '../settings.ts'

const GATEWAY_MODES = ['auto', 'stdio', 'in-process'] as const

const isGatewayMode = (value: string): value is (typeof GATEWAY_MODES)[number] =>
  GATEWAY_MODES.some((mode) => mode === value)

export const workerSection = z
  .object({
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
          z.enum(GATEWAY_MODES),
          z
            .string()
            .refine(isHttpUrl, { error: 'must be auto, stdio, in-process or an http(s) URL' }),
        ],
        { error: 'must be auto, stdio, in-process or the http(s) URL of a gateway’s /mcp' },
      ),
      'auto',
    ),
    WORKER_GATEWAY_TOKEN: optionalSetting(z.string().min(1)),
  })
  .transform((e) => ({
    /** Model calls in one turn before the run stops. */
    maxTurns: e.WORKER_MAX_TURNS,
    parallelToolCalls: e.WORKER_PARALLEL_TOOL_CALLS,
    /** The longest one gateway or skill call may take, as the Worker waits for it. */
    toolTimeoutMs: e.WORKER_TOOL_TIMEOUT_MS,
    /** Tools that wait for a person's approval; undefined: the domain pack's list. */
    approvalTools:
      e.WORKER_APPROVAL_TOOLS === undefined
        ? undefined
        : e.WORKER_APPROVAL_TOOLS.trim() === 'none'
          ? []
          : e.WORKER_APPROVAL_TOOLS.split(',').map((name) => name.trim()),
    /** The longest message accepted from a user, in characters. */
    maxInputChars: e.WORKER_MAX_INPUT_CHARS,
    /**
     * Where the Worker reaches the gateway: `stdio` (an `fte mcp` subprocess), `in-process`, a
     * remote `/mcp` URL, or `auto` (stdio on a Postgres server, in-process on the embedded
     * database, which the process that holds it serves to the others).
     */
    gateway: isGatewayMode(e.WORKER_GATEWAY)
      ? e.WORKER_GATEWAY
      : { url: e.WORKER_GATEWAY, token: e.WORKER_GATEWAY_TOKEN },
  }))

export type WorkerConfig = z.output<typeof workerSection>
