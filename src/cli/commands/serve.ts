import { once } from 'node:events'
import { type ComposedServer, composeServer } from '../../app/compose-server.ts'
import { standIn } from '../../app/stand-in.ts'
import { publicUrl } from '../../config/sections/server.ts'
import { type FetchHandler, listen } from '../../http/listen.ts'
import { ConfigError } from '../../lib/errors.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

export interface ServeOptions {
  host?: string
  port?: number
}

/** What the server answers while the database is being prepared. */
const starting: FetchHandler = () =>
  Response.json(
    { status: 'starting', message: 'The database is being prepared; try again in a moment.' },
    { status: 503, headers: { 'retry-after': '1' } },
  )

/**
 * Takes the port first (a clash fails at once, before any database work), prepares the database
 * while answering 503 "starting", then serves until the context's signal aborts. The listener is
 * closed before the database, so no request meets a closed database.
 */
export async function serveCommand(context: CliContext, options: ServeOptions): Promise<void> {
  const runtime = loadRuntime(context, { service: true })
  const { config, logger, pack } = runtime
  const host = options.host ?? config.server.host
  const { disabled } = config.auth
  if (disabled !== undefined && !disabled.allowNetwork && !isLoopback(host)) {
    throw new ConfigError(
      `AUTH_DISABLED=1 lets anyone who reaches the server act as ${standIn(runtime)?.sub}, so it listens on ` +
        `loopback only, not ${host}. Use HOST=127.0.0.1, turn AUTH_DISABLED off, or, if you really ` +
        'mean to expose it, set AUTH_DISABLED_ALLOW_NETWORK=1.',
    )
  }
  let handle = starting
  let mcpHandle = starting
  const server = await listen(
    { fetch: (request) => handle(request), mcp: (request) => mcpHandle(request) },
    host,
    options.port ?? config.server.port,
  )
  let composed: ComposedServer | undefined
  const base = publicUrl(config.server, Number(new URL(server.url).port))
  try {
    composed = await composeServer(runtime, {
      publicUrl: base,
      port: options.port ?? config.server.port,
      loopbackOnly: isLoopback(host),
    })
    handle = composed.fetch
    mcpHandle = composed.mcp
    const { model } = composed
    const { llm } = config
    logger.info(
      {
        url: server.url,
        database: composed.database,
        domain: pack.name,
        model: model?.name ?? null,
      },
      'serving',
    )
    context.stdout.write(
      `digital-fte is serving on ${server.url} (health: ${server.url}/healthz). Ctrl-C stops it.\n` +
        `Web UI: ${base}/  ·  chat API: ${base}/api  ·  ` +
        (model === undefined
          ? `the Worker is off: ${llm.configured ? '' : llm.problem}.\n`
          : `the Worker runs on ${model.provider} ${model.name}.\n`) +
        `MCP: ${base}/mcp. ${composed.signInBanner}` +
        composed.jobsBanner,
    )
    if (context.signal !== undefined && !context.signal.aborted) {
      await once(context.signal, 'abort')
    }
    logger.info('shutting down')
  } finally {
    // The listener first, so no request meets a closed database.
    await server.close()
    await composed?.close()
  }
}

/** 127.0.0.0/8, ::1 or localhost: reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}
