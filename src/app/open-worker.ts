import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  type GatewayAccess,
  httpAccess,
  inProcessAccess,
  stdioAccess,
} from '../agent/gateway-access.ts'
import { createModel, type WorkerModel } from '../agent/model-factory.ts'
import type { Worker } from '../agent/worker.ts'
import type { Identity } from '../auth/identity.ts'
import { scopesFor } from '../auth/scopes.ts'
import { createEmbedder } from '../embedding/create-embedder.ts'
import type { Embedder } from '../embedding/embedder.ts'
import { InvalidInputError } from '../lib/errors.ts'
import { packageRoot } from '../lib/package-root.ts'
import { packScopes } from '../pack/domain-pack.ts'
import { connect } from '../store/connect.ts'
import type { Database } from '../store/database.ts'
import { buildGateway } from './build-gateway.ts'
import { buildWorker } from './build-worker.ts'
import { prepareDatabase } from './prepare-database.ts'
import type { Runtime } from './runtime.ts'

export type GatewayChoice = 'auto' | 'stdio' | 'in-process' | string

export interface OpenedWorker {
  worker: Worker
  model: WorkerModel
  gateway: GatewayAccess
  /** Who the CLI acts as: the local operator (stdio, in-process) or the token's subject (HTTP). */
  userId: string | undefined
  close(): Promise<void>
}

/** The database as the CLI's Worker uses it: migrated, with its demo data, and its embedder. */
export interface PreparedDatabase {
  db: Database
  embedder: Embedder
}

/**
 * Opens and prepares the configured database (closed again when preparing it fails). `lasting`:
 * for a session that goes on (`fte chat`), which carries on if the process serving it the embedded
 * database stops.
 */
export async function openPreparedDatabase(
  runtime: Runtime,
  options: { lasting?: boolean } = {},
): Promise<PreparedDatabase> {
  const { config, logger, pack } = runtime
  const db = await connect(config.database, logger, options)
  try {
    const embedder = createEmbedder(config.embedding, pack.lexicon)
    await prepareDatabase(db, { pack, embedder, demoData: config.demoData, logger })
    return { db, embedder }
  } catch (error) {
    await db.close().catch(() => {})
    throw error
  }
}

/**
 * The Worker for `fte chat` / `fte ask` / `fte approve`: the model from the factory (an error
 * naming the variable when none is configured), the database for memory and audit, the skills,
 * and the gateway: an `fte mcp` subprocess, in-process, or a remote URL. `prepared`: a database
 * the caller opened already, which the Worker then owns (closes).
 */
export async function openWorker(
  runtime: Runtime,
  choice: GatewayChoice | undefined,
  prepared?: PreparedDatabase,
  options: { lasting?: boolean } = {},
): Promise<OpenedWorker> {
  const { logger } = runtime
  let model: WorkerModel
  try {
    model = createModel(runtime.config.llm)
    gatewayMode(runtime, choice)
  } catch (error) {
    await prepared?.db.close().catch(() => {})
    throw error
  }
  const { db, embedder } = prepared ?? (await openPreparedDatabase(runtime, options))
  const closers: Array<() => Promise<void>> = [() => db.close()]
  try {
    const { gateway, userId } = await openGatewayAccess(runtime, db, embedder, choice)
    closers.unshift(() => gateway.close())
    const worker = await buildWorker(runtime, db, gateway, model, 'worker:cli')
    logger.debug({ gateway: gateway.description, model: model.name }, 'worker ready')
    return {
      worker,
      model,
      gateway,
      userId,
      async close() {
        for (const close of closers) await close().catch(() => {})
      },
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => {})
    throw error
  }
}

/**
 * How the Worker reaches the gateway: WORKER_GATEWAY (or `choice`); `auto` is an `fte mcp`
 * subprocess on a Postgres server, and in-process on the embedded database (a subprocess would
 * reach it through this process's socket: it works, but every statement crosses it). The CLI acts as the local operator, except through a remote URL (the token's subject).
 */
export async function openGatewayAccess(
  runtime: Runtime,
  db: Database,
  embedder: Embedder,
  choice: GatewayChoice | undefined,
): Promise<{ gateway: GatewayAccess; userId: string | undefined }> {
  const { config, pack } = runtime
  const mode = gatewayMode(runtime, choice)
  const configured = config.worker.gateway
  const operator: Identity = {
    sub: config.gateway.stdio.sub,
    role: config.gateway.stdio.role,
    scopes: scopesFor(config.gateway.stdio.role, packScopes(pack)),
  }
  let gateway: GatewayAccess
  let userId: string | undefined = operator.sub
  if (mode === 'in-process') {
    gateway = inProcessAccess(await buildGateway(runtime, db, embedder), operator)
  } else if (mode === 'stdio') {
    gateway = stdioAccess({
      command: process.execPath,
      args: [mainScript(), 'mcp'],
      env: Object.fromEntries(
        Object.entries(runtime.host.env).filter((e): e is [string, string] => e[1] !== undefined),
      ),
      cwd: runtime.host.cwd,
      timeoutMs: Math.max(config.worker.toolTimeoutMs, 60_000),
    })
  } else {
    gateway = httpAccess({
      url: mode,
      token: typeof configured === 'object' ? configured.token : undefined,
      timeoutMs: config.worker.toolTimeoutMs,
    })
    userId = undefined
  }
  return { gateway, userId }
}

/** The gateway the CLI uses, checked before anything is opened. */
export function gatewayMode(runtime: Runtime, choice: GatewayChoice | undefined): string {
  const { config } = runtime
  const configured = config.worker.gateway
  const wanted = choice ?? (typeof configured === 'string' ? configured : configured.url)
  const mode =
    wanted === 'auto' ? (config.database.url === undefined ? 'in-process' : 'stdio') : wanted
  if (mode !== 'stdio' && mode !== 'in-process' && !/^https?:\/\//.test(mode)) {
    throw new InvalidInputError(
      `--gateway must be auto, stdio, in-process or a gateway's http(s) URL, not ${mode}`,
    )
  }
  return mode
}

/** This package's `fte` entry point, as source (npm scripts) or as the built file. */
function mainScript(): string {
  const source = join(packageRoot(), 'src', 'cli', 'main.ts')
  return existsSync(source) ? source : join(packageRoot(), 'dist', 'src', 'cli', 'main.js')
}
