import { inProcessAccess } from '../agent/gateway-access.ts'
import { createModel, type WorkerModel } from '../agent/model-factory.ts'
import { startSignIn } from '../auth/sign-in.ts'
import { devPortFor } from '../config/sections/auth.ts'
import type { JobsConfig } from '../config/sections/jobs.ts'
import { createEmbedder } from '../embedding/create-embedder.ts'
import type { FetchHandler } from '../http/listen.ts'
import {
  type Access,
  servedHandlers,
  servedResources,
  webRedirectUris,
} from '../http/served-handlers.ts'
import { RunningTurns } from '../http/turn-stream.ts'
import { loadEnvelopeFile } from '../jobs/envelope-file.ts'
import { jobsDoor } from '../jobs/inbound/jobs-door.ts'
import { JOBS_INBOX } from '../jobs/jobs-inbox.ts'
import { type Jobs, startJobs } from '../jobs/jobs-service.ts'
import { scheduleRetention } from '../maintenance/retention-schedule.ts'
import { packScopes } from '../pack/domain-pack.ts'
import { ChangeFeed } from '../store/change-feed.ts'
import { connect } from '../store/connect.ts'
import { buildGateway } from './build-gateway.ts'
import { buildWorker } from './build-worker.ts'
import { jobTurns } from './job-turns.ts'
import { prepareDatabase } from './prepare-database.ts'
import type { Runtime } from './runtime.ts'
import { standIn } from './stand-in.ts'

export interface ComposedServer {
  /** Everything but `/mcp`, and `/mcp`. */
  fetch: FetchHandler
  mcp: FetchHandler
  database: string
  /** The Worker's model; undefined when none is configured (the chat API says why). */
  model: WorkerModel | undefined
  /** How clients sign in, in a line or two for the person who started the server. */
  signInBanner: string
  /** The Worker's own work, in a line: where email comes in, and what happens to replies. */
  jobsBanner: string
  /** Lets running turns finish (up to a limit), then closes everything, the database last. */
  close(): Promise<void>
}

/**
 * The server's parts, built from the runtime: the database (migrated, demo data when asked), the
 * embedder, the gateway, sign-in, the Worker when a model is configured, the HTTP handlers and
 * retention on its schedule. `publicUrl` is the address clients use; `port` the one listened on.
 */
export async function composeServer(
  runtime: Runtime,
  /** Where it listens; `loopbackOnly`: only this machine can reach it (its users are operators). */
  where: { publicUrl: string; port: number; loopbackOnly?: boolean },
): Promise<ComposedServer> {
  const { config, logger, pack } = runtime
  const closers: Array<() => Promise<unknown>> = []
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {})
  }
  try {
    const db = await connect(config.database, logger, { lasting: true })
    closers.push(() => db.close())
    const embedder = createEmbedder(config.embedding, pack.lexicon)
    await prepareDatabase(db, { pack, embedder, demoData: config.demoData, logger })
    const gateway = await buildGateway(runtime, db, embedder)
    await gateway.ready
    const scopes = packScopes(pack)
    const stranger = standIn(runtime)
    let access: Access
    let signInBanner: string
    if (stranger === undefined) {
      const resources = servedResources(where.publicUrl)
      const signIn = await startSignIn({
        auth: config.auth,
        resources,
        dataDir: config.database.dataDir,
        scopes,
        devPort: devPortFor(config.auth, where.port),
        accounts: async () => (await pack.devAccounts?.(db)) ?? [],
        webRedirectUris: webRedirectUris(where.publicUrl),
      })
      closers.push(() => signIn.close())
      // The token command acts as the pack's demo customer, who has data to look at; it names
      // this server and its issuer, so it is right whatever the port.
      const demoSub = pack.demoPeople === undefined ? '' : ` --sub '${pack.demoPeople.customer}'`
      const tokenCommand = `npm run --silent fte -- auth token${demoSub} --resource ${resources[0]} --issuer ${signIn.issuer}`
      access = {
        issuer: signIn.issuer,
        verify: signIn.verify,
        mcpAudience: signIn.mcpAudience,
        webClientId: signIn.webClientId,
        tokenHint: signIn.development
          ? `for development, \`${tokenCommand}\` prints one.`
          : `sign in at ${signIn.issuer}.`,
      }
      signInBanner = signIn.development
        ? `MCP clients sign in through the development authorization server at ${signIn.issuer} (they find it on their own; pick a demo user).\n` +
          `For scripts, a token: ${tokenCommand}\n`
        : `Clients sign in at ${signIn.issuer}.\n`
    } else {
      access = { standIn: stranger }
      logger.warn(
        { sub: stranger.sub, role: stranger.role },
        'AUTH IS DISABLED (AUTH_DISABLED=1): no sign-in; every request acts as the stand-in user. A personal demo only.',
      )
      signInBanner =
        `WARNING: AUTH IS DISABLED. No sign-in: every request acts as ${stranger.sub} (${stranger.role}).\n` +
        'For a personal demo only; unset AUTH_DISABLED before anyone else can reach this server.\n'
    }
    const { llm } = config
    const model = llm.configured ? createModel(llm) : undefined
    const workerGateway = inProcessAccess(gateway)
    closers.push(() => workerGateway.close())
    const worker =
      model === undefined
        ? undefined
        : await buildWorker(runtime, db, workerGateway, model, 'worker:serve')
    const jobs = await startJobs({
      db,
      logger,
      config: config.jobs,
      pack: pack.jobs,
      tools: gateway.tools,
      runTurn:
        worker === undefined
          ? undefined
          : jobTurns(worker, new Set(gateway.tools.map((tool) => tool.name))),
      maxMessageChars: config.worker.maxInputChars,
      envelopes:
        config.jobs.envelopeFile === undefined
          ? {}
          : await loadEnvelopeFile(config.jobs.envelopeFile),
    })
    closers.push(() => jobs.close())
    const feed = new ChangeFeed(db, logger)
    await feed.start()
    closers.push(() => feed.close())
    const running = new RunningTurns()
    closers.push(async () => {
      // Turns whose clients were cut off by the close still finish and are stored.
      const unfinished = await running.settle(15_000)
      if (unfinished > 0) logger.warn({ unfinished }, 'chat turns still running at shutdown')
    })
    const served = servedHandlers({
      db,
      logger,
      gateway,
      publicUrl: where.publicUrl,
      access,
      scopes,
      corsOrigins: config.api.corsOrigins,
      inbound: {
        secrets: { email: config.jobs.email.inboundSecrets, webhook: config.jobs.webhookSecrets },
        toleranceSeconds: config.jobs.toleranceSeconds,
        maxBytes: config.jobs.email.maxBytes,
        eventKinds: (pack.jobs?.webhooks ?? []).map((event) => event.kind),
        door: jobsDoor(jobs),
      },
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
        decide: (decision) => gateway.decide(decision),
        feed,
        // The jobs' kinds beside the pack's: drafts to approve, jobs handed over, failed jobs.
        staff: { ...pack.staff, inbox: [...(pack.staff?.inbox ?? []), ...JOBS_INBOX] },
        operatorHints: where.loopbackOnly === true ? 'everyone' : 'staff',
        toolWords: new Map(
          gateway.tools.flatMap((tool) =>
            tool.activity === undefined ? [] : [[tool.name, tool.activity] as const],
          ),
        ),
      },
    })
    const retention = scheduleRetention(db, config.retention, logger)
    closers.push(() => retention.stop())
    return {
      fetch: served.fetch,
      mcp: served.mcp,
      database: db.description,
      model,
      signInBanner,
      jobsBanner: jobsLine(jobs, config.jobs),
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}

function jobsLine(jobs: Jobs, config: JobsConfig): string {
  const email = [
    ...(jobs.smtpPort === undefined ? [] : [`SMTP on port ${jobs.smtpPort}`]),
    ...(config.email.inboundSecrets === undefined ? [] : ['POST /api/inbound/email']),
  ]
  const replies =
    config.replies === 'draft' ? 'replies wait for staff approval' : 'replies are sent'
  return (
    `Jobs: ${jobs.running ? 'run here' : 'run in the process that holds the database'}; email in: ` +
    `${email.length === 0 ? 'off (EMAIL_LISTEN_PORT, EMAIL_INBOUND_SECRET)' : email.join(' and ')}; ` +
    `${replies}${config.email.smtpUrl === undefined ? ' (no EMAIL_SMTP_URL: none go out)' : ''}.\n`
  )
}
