import { once } from 'node:events'
import { prepareDatabase } from '../../app/prepare-database.ts'
import type { Runtime } from '../../app/runtime.ts'
import type { DevAccount } from '../../auth/dev-server.ts'
import { startDevAuthServer } from '../../auth/dev-server.ts'
import { devClientsFile, devIssuer, devKey, issueDevToken } from '../../auth/dev-token.ts'
import type { Identity } from '../../auth/identity.ts'
import { scopesFor } from '../../auth/scopes.ts'
import { devIssuerUrl, devPortFor } from '../../config/sections/auth.ts'
import { publicUrl } from '../../config/sections/server.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { servedResources } from '../../http/served-handlers.ts'
import { CallerError, errorMessage, InvalidInputError } from '../../lib/errors.ts'
import { packScopes } from '../../pack/domain-pack.ts'
import { connect } from '../../store/connect.ts'
import type { Database } from '../../store/database.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

export interface TokenOptions {
  /** Default: the pack's demo person of the token's role. */
  sub?: string
  /** Default: every scope the role may have. */
  scope?: string
  role?: Identity['role']
  email?: string
  ttl: number
  /** The /mcp URL the token is for; default PUBLIC_URL or http://HOST:PORT, plus /mcp. */
  resource?: string
  /** The development issuer's URL (its tokens' `iss`); default http://127.0.0.1:AUTH_DEV_PORT. */
  issuer?: string
}

/**
 * `fte auth token`: a development access token, as the development authorization server would
 * issue it (its issuer, its key in the data folder), for scripts, curl and the MCP Inspector while
 * the server trusts that issuer. What it says goes to stderr first; the token is the last line.
 */
export async function authTokenCommand(context: CliContext, options: TokenOptions): Promise<void> {
  if (options.sub !== undefined && !/^[\x21-\x7e]{1,255}$/.test(options.sub)) {
    throw usage('--sub must be 1-255 printable characters without spaces')
  }
  if (options.scope !== undefined && options.role !== undefined) {
    throw usage('give --scope or --role, not both (staff is the "staff" scope)')
  }
  const { config, pack } = loadRuntime(context)
  const known = packScopes(pack)
  const scopes =
    options.scope === undefined
      ? scopesFor(options.role ?? 'customer', known)
      : parseScopes(options.scope, known)
  const role: Identity['role'] = scopes.includes('staff') ? 'staff' : 'customer'
  const sub = options.sub ?? pack.demoPeople?.[role]
  if (sub === undefined) {
    throw usage(`the ${pack.name} pack names no demo ${role}: say who the token is for with --sub`)
  }
  const audience = options.resource ?? servedResources(publicUrl(config.server))[0]
  if (!/^https?:\/\/\S+\/mcp$/.test(audience)) {
    throw usage("--resource must be the server's /mcp URL, such as http://127.0.0.1:3000/mcp")
  }
  // The development server listens next to the server: for a server on another port (named by
  // --resource), next to that one.
  const resourcePort = Number(new URL(audience).port)
  const devUrl =
    options.issuer ??
    devIssuerUrl(
      config.auth,
      options.resource !== undefined && resourcePort > 0 ? resourcePort : config.server.port,
    )
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(devUrl)) {
    throw usage('--issuer must be the development sign-in URL, such as http://127.0.0.1:3001')
  }
  // A standalone development server (fte auth dev-server) named as the issuer is still ours.
  if (config.auth.issuer !== undefined && config.auth.issuer !== devUrl) {
    throw usage(
      `AUTH_ISSUER is set (${config.auth.issuer}): the server accepts that issuer's tokens only, so get one from it.`,
    )
  }
  const token = await issueDevToken(await devIssuer(config.database.dataDir, devUrl), {
    sub,
    role,
    scopes,
    email: options.email,
    ttlSeconds: options.ttl,
    audience,
  })
  context.stderr.write(
    `A development token for ${sub} (scopes: ${scopes.join(' ')}), valid ${options.ttl} s, for ${audience}, from ${devUrl}.\n` +
      'Send it as "Authorization: Bearer <token>". Development only: anyone with the data folder can mint these.\n',
  )
  context.stdout.write(`${token}\n`)
}

export interface DevServerOptions {
  /** Resources to issue tokens for, beyond this server's own (other replicas' URLs). */
  resource?: string[]
  /** Sign everyone in as this `sub`, without a page (headless tests and scripts). */
  auto?: string
}

/**
 * `fte auth dev-server`: the development authorization server on its own, on AUTH_DEV_PORT. Start
 * it first, then point one or more servers at it with AUTH_ISSUER (how replicas share a sign-in).
 * Its demo accounts are read from the database once, at start, so that an embedded database is
 * free again for `fte serve`.
 */
export async function authDevServerCommand(
  context: CliContext,
  options: DevServerOptions,
): Promise<void> {
  const runtime = loadRuntime(context, { service: true })
  const { config, logger } = runtime
  // This server's own first (the default for a client that names none), then any others.
  const resources = [
    ...new Set([
      ...servedResources(publicUrl(config.server)),
      ...(options.resource ?? []).flatMap(otherServer),
    ]),
  ] as [string, ...string[]]
  const port = devPortFor(config.auth, config.server.port)
  const accounts = await demoAccounts(runtime)
  if (options.auto !== undefined && !accounts.some((a) => a.sub === options.auto)) {
    throw usage(
      `--auto ${options.auto} is not a demo account; the accounts are: ${accounts.map((a) => a.sub).join(', ')}`,
    )
  }
  const server = await startDevAuthServer({
    resources,
    scopes: packScopes(runtime.pack),
    signingKey: (await devKey(config.database.dataDir)).privateJwk,
    accounts: async () => accounts,
    port,
    clientsFile: devClientsFile(config.database.dataDir),
    ...(options.auto === undefined ? {} : { autoSignIn: () => options.auto }),
  }).catch((error: NodeJS.ErrnoException) => {
    throw new CallerError(
      'port_in_use',
      error.code === 'EADDRINUSE'
        ? `Port ${port} is in use (an fte serve runs its own sign-in there): stop it, or set AUTH_DEV_PORT.`
        : `The development sign-in server could not start: ${error.message}`,
      { cause: error },
    )
  })
  logger.info({ issuer: server.issuer, resources }, 'development authorization server')
  context.stdout.write(
    `Development sign-in on ${server.issuer} (loopback only), for ${resources.join(', ')}.\n` +
      `Point a server at it: AUTH_ISSUER=${server.issuer} PORT=${config.server.port} npm start (start this first). ` +
      `${accounts.length} demo account${accounts.length === 1 ? '' : 's'}` +
      `${options.auto === undefined ? '' : `; everyone is signed in as ${options.auto}`}. Ctrl-C stops it.\n`,
  )
  try {
    if (context.signal !== undefined && !context.signal.aborted) {
      await once(context.signal, 'abort')
    }
  } finally {
    await server.close()
  }
}

/**
 * The pack's demo accounts, read once from a database made ready as `fte serve` would (so it may
 * be started first, on a fresh clone); none, with a warning, when the database cannot be opened.
 */
async function demoAccounts({ config, logger, pack }: Runtime): Promise<DevAccount[]> {
  if (pack.devAccounts === undefined) return []
  let db: Database | undefined
  try {
    db = await connect(config.database, logger)
    await prepareDatabase(db, {
      pack,
      embedder: createEmbedder(config.embedding, pack.lexicon),
      demoData: config.demoData,
      logger,
    })
    return await pack.devAccounts(db)
  } catch (error) {
    logger.warn(
      { err: errorMessage(error) },
      'the demo accounts could not be read (is the embedded database held by a running fte serve? start this first): the sign-in page will be empty',
    )
    return []
  } finally {
    await db?.close()
  }
}

function parseScopes(value: string, known: readonly string[]): string[] {
  const given = value.split(/[\s,]+/).filter(Boolean)
  const unknown = given.filter((s) => !known.includes(s))
  if (given.length === 0 || unknown.length > 0) {
    throw usage(
      `--scope takes scopes from: ${known.join(', ')}${unknown.length > 0 ? ` (not ${unknown.join(', ')})` : ''}`,
    )
  }
  return [...new Set(given)]
}

/** Another server's resources (its `/mcp` and its own URL), from either URL. */
function otherServer(url: string): string[] {
  if (!/^https?:\/\/[^\s/]+(\/mcp)?$/.test(url)) {
    throw usage(`--resource ${url}: give a server URL (http://host:port) or its /mcp URL`)
  }
  return servedResources(url.replace(/\/mcp$/, ''))
}

function usage(message: string): InvalidInputError {
  return new InvalidInputError(message)
}
