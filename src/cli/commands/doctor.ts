import OpenAI from 'openai'
import { createModel } from '../../agent/model-factory.ts'
import { type GatewayChoice, openGatewayAccess } from '../../app/open-worker.ts'
import { prepareDatabase } from '../../app/prepare-database.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { errorMessage } from '../../lib/errors.ts'
import { migrationSources } from '../../pack/domain-pack.ts'
import { connect } from '../../store/connect.ts'
import type { Database } from '../../store/database.ts'
import { loadMigrations } from '../../store/migration-files.ts'
import { migrationStatus } from '../../store/migrator.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

export interface DoctorOptions {
  gateway?: GatewayChoice
  json?: boolean
}

interface Check {
  name: 'configuration' | 'database' | 'gateway' | 'model'
  ok: boolean
  /** Not configured, and not asked for: no fault (the gateway needs no model). */
  off?: true
  detail: string
  hint?: string
}

/** How long the provider may take to list its models: a bad key fails well within it. */
const PROVIDER_TIMEOUT_MS = 5000

/**
 * `fte doctor`: configuration, database, gateway and model provider, each checked for real (the
 * provider lists its models: a real request with the configured key). Exit 1 when any check fails; no
 * model at all is "off", not a failure, since the gateway needs none.
 */
export async function doctorCommand(context: CliContext, options: DoctorOptions): Promise<number> {
  const checks: Check[] = []
  const runtime = loadRuntime(context)
  const { config, logger, pack } = runtime
  checks.push({
    name: 'configuration',
    ok: true,
    detail: `domain ${pack.name}, ${config.database.url === undefined ? `embedded database in ${config.database.dataDir}` : 'DATABASE_URL'}`,
  })
  let db: Database | undefined
  try {
    db = await connect(config.database, logger)
    const migrations = await loadMigrations(migrationSources(pack))
    const pending = (await migrationStatus(db, migrations)).filter((m) => m.state !== 'applied')
    checks.push({
      name: 'database',
      ok: true,
      detail:
        `${db.description}: ` +
        (pending.length === 0
          ? `up to date (${migrations.length} migrations)`
          : `${pending.length} migrations were pending: applied now, as the Worker does on start`),
    })
  } catch (error) {
    checks.push({
      name: 'database',
      ok: false,
      detail: errorMessage(error),
      hint:
        config.database.url === undefined
          ? 'Is `fte serve` running on this data folder? The embedded database belongs to one process.'
          : 'Check DATABASE_URL, that the server is up, and that it has pgvector.',
    })
  }
  if (db !== undefined) {
    try {
      const embedder = createEmbedder(config.embedding, pack.lexicon)
      await prepareDatabase(db, { pack, embedder, demoData: config.demoData, logger })
      const { gateway } = await openGatewayAccess(runtime, db, embedder, options.gateway)
      try {
        const server = await gateway.connect()
        const tools = await server.listTools()
        const health = await server.callToolResult?.('health', {}, undefined, {
          signal: AbortSignal.timeout(config.worker.toolTimeoutMs),
        })
        const ok = health !== undefined && health.isError !== true
        checks.push({
          name: 'gateway',
          ok,
          detail: `${gateway.description}: ${tools.length} tools; ${ok ? 'the system of record is reachable' : 'health failed'}`,
        })
      } finally {
        await gateway.close()
      }
    } catch (error) {
      checks.push({
        name: 'gateway',
        ok: false,
        detail: errorMessage(error),
        hint: 'Check --gateway or WORKER_GATEWAY (and WORKER_GATEWAY_TOKEN for a remote one).',
      })
    }
    await db.close()
  }
  checks.push(await checkModel(config.llm))
  if (options.json === true) {
    context.stdout.write(`${JSON.stringify({ ok: checks.every((c) => c.ok), checks })}\n`)
  } else {
    for (const check of checks) {
      const mark = check.off === true ? '–' : check.ok ? '✓' : '✗'
      context.stdout.write(`${mark} ${check.name}: ${check.detail}\n`)
      if ((!check.ok || check.off === true) && check.hint !== undefined) {
        context.stdout.write(`    ${check.hint}\n`)
      }
    }
  }
  return checks.every((c) => c.ok) ? 0 : 1
}

async function checkModel(llm: ReturnType<typeof loadRuntime>['config']['llm']): Promise<Check> {
  if (!llm.configured && !llm.requested) {
    return {
      name: 'model',
      ok: true,
      off: true,
      detail:
        'off: the MCP gateway, the web UI and sign-in need none; the Worker (chat, ask, /api/chat) does',
      hint: `To turn it on: ${llm.problem.replace(/^no model is configured: /, '')}. See "The model" in .env.example.`,
    }
  }
  if (!llm.configured) {
    return {
      name: 'model',
      ok: false,
      detail: llm.problem,
      hint: 'See "The model" in .env.example.',
    }
  }
  const { client, name, provider, baseUrl } = createModel({ ...llm, maxRetries: 0 })
  const where = `${provider} at ${baseUrl}`
  try {
    const listed = await client.models.list({
      timeout: PROVIDER_TIMEOUT_MS,
      maxRetries: 0,
    })
    const ids = listed.data.map((m) => m.id)
    const known = ids.some((id) => id === name || id.endsWith(`/${name}`))
    return {
      name: 'model',
      ok: true,
      detail: `${where}: the key works; ${ids.length} models listed${known ? `, ${name} among them` : `; ${name} is not among them (some providers list only part)`}`,
    }
  } catch (error) {
    if (error instanceof OpenAI.APIError && (error.status === 401 || error.status === 403)) {
      return {
        name: 'model',
        ok: false,
        detail: `${where} refused the key (${error.status})`,
        hint: 'Check the provider key variable (it is never printed).',
      }
    }
    if (error instanceof OpenAI.APIError && error.status === 404) {
      return {
        name: 'model',
        ok: true,
        detail: `${where} answers, but does not list models (404 on /models); ${name} is assumed`,
      }
    }
    return {
      name: 'model',
      ok: false,
      detail: `${where}: ${errorMessage(error)}`,
      hint: 'Check LLM_BASE_URL and that the server is up.',
    }
  }
}
