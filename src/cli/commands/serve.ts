import { once } from 'node:events'
import { type SignIn, startSignIn } from '../../auth/sign-in.ts'
import { publicUrl } from '../../config/config.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { createGateway } from '../../gateway/gateway.ts'
import { type FetchHandler, listen } from '../../server/listen.ts'
import { servedHandlers, servedResources } from '../../server/served-handlers.ts'
import { connect } from '../../store/connect.ts'
import type { Database } from '../../store/database.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
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
  const { config, logger, pack } = loadRuntime(context)
  let handle = starting
  let mcpHandle = starting
  const server = await listen(
    { fetch: (request) => handle(request), mcp: (request) => mcpHandle(request) },
    options.host ?? config.server.host,
    options.port ?? config.server.port,
  )
  let db: Database | undefined
  let signIn: SignIn | undefined
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
      ...config.gateway,
    })
    await gateway.ready
    const resources = servedResources(base)
    signIn = await startSignIn({
      auth: config.auth,
      resources,
      dataDir: config.database.dataDir,
      accounts: async () => (db === undefined ? [] : ((await pack.devAccounts?.(db)) ?? [])),
    })
    const served = servedHandlers({
      db,
      logger,
      gateway,
      publicUrl: base,
      issuer: signIn.issuer,
      verify: signIn.verify,
    })
    handle = served.fetch
    mcpHandle = served.mcp
    logger.info({ url: server.url, database: db.description, domain: pack.name }, 'serving')
    context.stdout.write(
      `digital-fte is serving on ${server.url} (health: ${server.url}/healthz). Ctrl-C stops it.\n` +
        `MCP: ${base}/mcp. Clients sign in at ${signIn.issuer}` +
        (signIn.development
          ? ' (development sign-in: pick a demo user);\n' +
            `for scripts, a token from: npm run --silent fte -- auth token --resource ${resources[0]}\n`
          : '.\n'),
    )
    if (context.signal !== undefined && !context.signal.aborted) {
      await once(context.signal, 'abort')
    }
    logger.info('shutting down')
  } finally {
    await server.close()
    await signIn?.close()
    await db?.close()
  }
}
