import OpenAI from 'openai'
import { createModel } from '../../agent/model-factory.ts'
import { type GatewayChoice, openGatewayAccess } from '../../app/open-worker.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { errorMessage } from '../../lib/errors.ts'
import { migrationSources } from '../../pack/domain-pack.ts'
import { connect } from '../../store/connect.ts'
import { DataDirDamagedError, inspectDataDir } from '../../store/data-dir-check.ts'
import type { Database } from '../../store/database.ts'
import { loadMigrations } from '../../store/migration-files.ts'
import { migrationStatus } from '../../store/migrator.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'
import { checkJobs } from './doctor-jobs.ts'

export interface DoctorOptions {
  gateway?: GatewayChoice
  json?: boolean
}

interface Check {
  name: 'configuration' | 'database' | 'gateway' | 'jobs' | 'model'
  ok: boolean
  /** Not configured, and not asked for: no fault (the gateway needs no model). */
  off?: true
  /** Worth acting on, but no fault: a database not created yet, migrations not applied. */
  finding?: true
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
  // A check never writes: no database is created, no migration applied, no demo data loaded.
  let db: Database | undefined
  const folder =
    config.database.url === undefined ? inspectDataDir(config.database.dataDir) : undefined
  if (folder?.kind === 'absent' || folder?.kind === 'empty') {
    checks.push({
      name: 'database',
      ok: true,
      finding: true,
      detail: `no database in ${config.database.dataDir} yet`,
      hint: '`npm start` (fte serve) or `fte migrate` creates it.',
    })
  } else if (folder?.kind === 'unfinished') {
    checks.push({
      name: 'database',
      ok: true,
      finding: true,
      detail: `the database in ${config.database.dataDir} was being created when its process was stopped`,
      hint: 'The next `npm start` (or `fte migrate`) creates it again; nobody had used it yet.',
    })
  } else if (folder?.kind === 'damaged') {
    checks.push({
      name: 'database',
      ok: false,
      detail: new DataDirDamagedError(config.database.dataDir, folder.problem).message,
    })
  } else {
    try {
      db = await connect(config.database, logger)
      const migrations = await loadMigrations(migrationSources(pack))
      const pending = (await migrationStatus(db, migrations)).filter((m) => m.state !== 'applied')
      checks.push(
        pending.length === 0
          ? {
              name: 'database',
              ok: true,
              detail: `${db.description}: up to date (${migrations.length} migrations)`,
            }
          : {
              name: 'database',
              ok: true,
              finding: true,
              detail:
                `${db.description}: ${pending.length} of ${migrations.length} migrations not applied ` +
                `(${pending
                  .slice(0, 3)
                  .map((m) => `${m.source}/${m.name} ${m.state}`)
                  .join(', ')}${pending.length > 3 ? ', …' : ''})`,
              hint: '`fte migrate` applies them (as `npm start` does); this check changed nothing.',
            },
      )
      if (pending.length > 0) {
        checks.push({
          name: 'gateway',
          ok: true,
          off: true,
          detail: 'not checked: it needs the migrations applied first',
        })
        await db.close()
        db = undefined
      }
    } catch (error) {
      await db?.close()
      db = undefined
      checks.push({
        name: 'database',
        ok: false,
        detail: errorMessage(error),
        hint:
          config.database.url === undefined
            ? 'The embedded database could not be opened, nor reached through the process that has it open.'
            : 'Check DATABASE_URL, that the server is up, and that it has pgvector.',
      })
    }
  }
  if (db !== undefined) {
    try {
      const embedder = createEmbedder(config.embedding, pack.lexicon)
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
          detail: `${gateway.description}${server.protocol === undefined ? '' : ` (MCP ${server.protocol})`}: ${tools.length} tools; ${ok ? 'the system of record is reachable' : 'health failed'}`,
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
    checks.push({ name: 'jobs', ...(await checkJobs(db, config.jobs)) })
    await db.close()
  }
  checks.push(await checkModel(config.llm))
  if (options.json === true) {
    context.stdout.write(`${JSON.stringify({ ok: checks.every((c) => c.ok), checks })}\n`)
  } else {
    for (const check of checks) {
      const mark = check.off === true ? '–' : check.finding === true ? '!' : check.ok ? '✓' : '✗'
      context.stdout.write(`${mark} ${check.name}: ${check.detail}\n`)
      if ((!check.ok || check.off === true || check.finding === true) && check.hint !== undefined) {
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
