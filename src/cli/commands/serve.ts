import { once } from 'node:events'
import { inProcessAccess } from '../../agent/gateway-access.ts'
import { createModel } from '../../agent/model-factory.ts'
import { scopesFor } from '../../auth/scopes.ts'
import { type SignIn, startSignIn } from '../../auth/sign-in.ts'
import { devPortFor } from '../../config/sections/auth.ts'
import { publicUrl } from '../../config/sections/server.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { createGateway } from '../../gateway/gateway.ts'
import { type FetchHandler, listen } from '../../http/listen.ts'
import {
  type Access,
  servedHandlers,
  servedResources,
  webRedirectUris,
} from '../../http/served-handlers.ts'
import { RunningTurns } from '../../http/turn-stream.ts'
import { FteError } from '../../lib/errors.ts'
import { scheduleRetention } from '../../maintenance/retention-schedule.ts'
import type { DomainPack } from '../../pack/domain-pack.ts'
import { connect } from '../../store/connect.ts'
import type { Database } from '../../store/database.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { publishedSkills } from '../load-skills.ts'
import { workerOver } from '../open-worker.ts'
import { prepareDatabase } from '../prepare-database.ts'

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
  const runtime = loadRuntime(context)
  const { config, logger, pack } = runtime
  const host = options.host ?? config.server.host
  const { disabled } = config.auth
  if (disabled !== undefined && !disabled.allowNetwork && !isLoopback(host)) {
    throw new FteError(
      'config_invalid',
      `AUTH_DISABLED=1 lets anyone who reaches the server act as ${disabled.sub}, so it listens on ` +
        `loopback only, not ${host}. Use HOST=127.0.0.1, turn AUTH_DISABLED off, or, if you really ` +
        'mean to expose it, set AUTH_DISABLED_ALLOW_NETWORK=1.',
      { fault: 'caller' },
    )
  }
  let handle = starting
  let mcpHandle = starting
  const server = await listen(
    { fetch: (request) => handle(request), mcp: (request) => mcpHandle(request) },
    host,
    options.port ?? config.server.port,
  )
  let db: Database | undefined
  let signIn: SignIn | undefined
  const running = new RunningTurns()
  let closeWorker = async () => {}
  let stopRetention = async () => {}
  try {
    db = await connect(config.database, logger)
    const embedder = createEmbedder(config.embedding)
    await prepareDatabase(db, {
      pack,
      embedder,
      demoData: config.demoData,
      logger,
    })
    const base = publicUrl(config.server, Number(new URL(server.url).port))
    const gateway = createGateway({
      db,
      pack,
      embedder,
      logger,
      skills: await publishedSkills(context, runtime),
      ...config.gateway,
    })
    await gateway.ready
    let access: Access
    let banner: string
    if (disabled === undefined) {
      const resources = servedResources(base)
      signIn = await startSignIn({
        auth: config.auth,
        resources,
        dataDir: config.database.dataDir,
        devPort: devPortFor(config.auth, options.port ?? config.server.port),
        accounts: async () => (db === undefined ? [] : ((await pack.devAccounts?.(db)) ?? [])),
        webRedirectUris: webRedirectUris(base),
      })
      access = {
        issuer: signIn.issuer,
        verify: signIn.verify,
        mcpAudience: signIn.mcpAudience,
        webClientId: signIn.webClientId,
      }
      banner = signIn.development
        ? `MCP clients sign in through the development authorization server at ${signIn.issuer} (they find it on their own; pick a demo user).\n` +
          `For scripts, a token: npm run --silent fte -- auth token${await demoSub(pack, db)} --resource ${resources[0]} --issuer ${signIn.issuer}\n`
        : `Clients sign in at ${signIn.issuer}.\n`
    } else {
      access = {
        standIn: { sub: disabled.sub, role: disabled.role, scopes: scopesFor(disabled.role) },
      }
      logger.warn(
        { sub: disabled.sub, role: disabled.role, host },
        'AUTH IS DISABLED (AUTH_DISABLED=1): no sign-in; every request acts as the stand-in user. A personal demo only.',
      )
      banner =
        `WARNING: AUTH IS DISABLED. No sign-in: every request acts as ${disabled.sub} (${disabled.role}).\n` +
        'For a personal demo only; unset AUTH_DISABLED before anyone else can reach this server.\n'
    }
    const { llm } = config
    const model = llm.configured ? createModel(llm) : undefined
    const workerGateway = inProcessAccess(gateway)
    closeWorker = () => workerGateway.close()
    const worker =
      model === undefined
        ? undefined
        : await workerOver(context, runtime, db, workerGateway, model, 'worker:serve')
    const served = servedHandlers({
      db,
      logger,
      gateway,
      publicUrl: base,
      access,
      corsOrigins: config.api.corsOrigins,
      domain: { name: pack.name, description: pack.description, examplePrompt: pack.examplePrompt },
      chat: {
        db,
        worker,
        workerProblem: llm.configured ? undefined : llm.problem,
        model: model === undefined ? undefined : { provider: model.provider, name: model.name },
        rateLimit: config.api.chatRate,
        maxMessageChars: config.worker.maxInputChars,
        logger,
        running,
      },
    })
    handle = served.fetch
    mcpHandle = served.mcp
    stopRetention = scheduleRetention(db, config.retention, logger).stop
    logger.info(
      { url: server.url, database: db.description, domain: pack.name, model: model?.name ?? null },
      'serving',
    )
    context.stdout.write(
      `digital-fte is serving on ${server.url} (health: ${server.url}/healthz). Ctrl-C stops it.\n` +
        `Web UI: ${base}/  ·  chat API: ${base}/api  ·  ` +
        (model === undefined
          ? `the Worker is off: ${llm.configured ? '' : llm.problem}.\n`
          : `the Worker runs on ${model.provider} ${model.name}.\n`) +
        `MCP: ${base}/mcp. ${banner}`,
    )
    if (context.signal !== undefined && !context.signal.aborted) {
      await once(context.signal, 'abort')
    }
    logger.info('shutting down')
  } finally {
    await server.close()
    // Turns whose clients were cut off by the close still finish and are stored.
    const unfinished = await running.settle(15_000)
    if (unfinished > 0) logger.warn({ unfinished }, 'chat turns still running at shutdown')
    await closeWorker()
    await stopRetention()
    await signIn?.close()
    await db?.close()
  }
}

/** 127.0.0.0/8, ::1 or localhost: reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** ` --sub '<a demo person of this pack>'`, so the banner's token command fits the pack served. */
async function demoSub(pack: DomainPack, db: Database): Promise<string> {
  const someone = (await pack.devAccounts?.(db))?.find((a) => a.role === 'customer')
  return someone === undefined ? '' : ` --sub '${someone.sub}'`
}
