import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname } from 'node:path'
import { text } from 'node:stream/consumers'
import type { JWK } from 'jose'
import Provider, {
  type Adapter,
  type AdapterPayload,
  type AsymmetricSigningAlgorithm,
  errors,
} from 'oidc-provider'
import { RESOURCE_SCOPES, scopesFor } from './scopes.ts'

/** Someone the development server can sign in as. */
export interface DevAccount {
  sub: string
  name: string
  email: string
  role: 'customer' | 'staff'
}

/** A script's client-credentials client and the scopes its tokens carry. */
export interface ScriptClient {
  clientId: string
  clientSecret: string
  scope: string
}

/** A browser application's client: no secret, the code flow with PKCE, these redirect URIs. */
export interface WebClient {
  clientId: string
  redirectUris: string[]
}

export interface DevAuthServerOptions {
  /**
   * The resources it issues tokens for (their `aud`, one per token): this server's `/mcp` URL
   * first (the default when a client names none), then the server's own URL (its `/api`).
   */
  resources: readonly [string, ...string[]]
  /** The signing key (a private JWK with `kid` and `alg`). */
  signingKey: JWK
  /** Who may sign in: looked up on every sign-in, so new demo customers appear. */
  accounts: () => Promise<DevAccount[]>
  scriptClients?: ScriptClient[]
  /** The web UI's client: public (PKCE, no secret), registered up front with its redirect URIs. */
  webClient?: WebClient
  /** Loopback only: this is a development server. Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port. */
  port?: number
  /**
   * For tests and headless scripts: no page; while this returns an account's `sub`, every sign-in
   * is that account, approved at once.
   */
  autoSignIn?: () => string | undefined
  /** Access token lifetime in seconds. Default 3600. */
  accessTokenTtlSeconds?: number
  /**
   * Where registered clients are kept across restarts (a JSON file, mode 600): clients such as the
   * MCP Inspector keep their client id, so a restart must not forget it. Default: memory only.
   */
  clientsFile?: string
}

export interface DevAuthServer {
  /** The issuer URL (`iss` of its tokens), which serves the discovery metadata and the JWKS. */
  issuer: string
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

/**
 * The bundled development authorization server: a real OAuth 2.1 / OpenID issuer (oidc-provider)
 * on a loopback port, with discovery metadata, a JWKS, open dynamic client registration,
 * authorization code with PKCE (S256 only), client credentials for scripts, and JWT access tokens
 * for this server's resources. Its sign-in page lets you pick a demo customer or the demo staff user. State
 * lives in memory: a restart forgets registrations, and clients register again.
 */
export async function startDevAuthServer(options: DevAuthServerOptions): Promise<DevAuthServer> {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host)) {
    throw new Error(`the development authorization server listens on loopback only, not ${host}`)
  }
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const issuer = `http://${host === '::1' ? '[::1]' : host}:${port}`
  const [resource] = options.resources
  const alg = (options.signingKey.alg ?? 'EdDSA') as AsymmetricSigningAlgorithm
  const ttl = options.accessTokenTtlSeconds ?? 3600
  const scriptScopes = new Map((options.scriptClients ?? []).map((c) => [c.clientId, c.scope]))
  const account = async (sub: string) => (await options.accounts()).find((a) => a.sub === sub)

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(await savedClients(options.clientsFile)),
    clients: [
      ...(options.scriptClients ?? []).map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      })),
      // A page's code cannot keep a secret, nor register itself here (registration has no CORS).
      ...(options.webClient === undefined
        ? []
        : [
            {
              client_id: options.webClient.clientId,
              client_name: 'the digital-fte web UI',
              token_endpoint_auth_method: 'none' as const,
              grant_types: ['authorization_code'],
              response_types: ['code' as const],
              redirect_uris: options.webClient.redirectUris,
            },
          ]),
    ],
    jwks: { keys: [options.signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access'],
    // A client's registered `scope` would become an allow-list and block a later step-up: what a
    // token may carry is decided per account (the grant) and per script client instead.
    // (The validator runs once per listed property, present or not: one of our own does it.)
    extraClientMetadata: {
      properties: ['x_fte'],
      validator(_ctx, _key, _value, metadata) {
        delete (metadata as { scope?: unknown }).scope
      },
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    clientDefaults: { id_token_signed_response_alg: alg },
    enabledJWA: { idTokenSigningAlgValues: [alg] },
    // OAuth 2.1: the authorization code flow only (no implicit, no hybrid), always with PKCE.
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      revocation: { enabled: true },
      registration: {
        enabled: true,
        initialAccessToken: false,
        issueRegistrationAccessToken: false,
      },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator, client) => {
          if (!options.resources.includes(indicator)) throw new errors.InvalidTarget()
          return {
            scope:
              ctx.oidc.params?.grant_type === 'client_credentials'
                ? (scriptScopes.get(client.clientId) ?? '')
                : RESOURCE_SCOPES.join(' '),
            audience: indicator,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ttl,
            jwt: { sign: { alg } },
          }
        },
      },
    },
    async extraTokenClaims(_ctx, token) {
      const accountId = (token as { accountId?: string }).accountId
      const found = accountId === undefined ? undefined : await account(accountId)
      return found === undefined ? undefined : { email: found.email, email_verified: true }
    },
    async findAccount(_ctx, sub) {
      const found = await account(sub)
      if (found === undefined) return undefined
      return {
        accountId: sub,
        claims: async () => ({ sub, email: found.email, email_verified: true, name: found.name }),
      }
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ttl,
      AuthorizationCode: 60,
      ClientCredentials: ttl,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      RefreshToken: 24 * 3600,
    },
    clientBasedCORS: (_ctx, origin) =>
      /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin),
    async renderError(ctx, out) {
      ctx.type = 'json'
      ctx.body = out
    },
  })

  /** Signs in `sub` and grants what that account may have of what the client asked for. */
  async function finish(req: IncomingMessage, res: ServerResponse, sub: string): Promise<void> {
    const details = await provider.interactionDetails(req, res)
    const params = details.params as { client_id: string; scope?: string; resource?: string }
    const who = await account(sub)
    if (who === undefined) throw new Error(`no demo account ${sub}`)
    // The grant this client already has, when it is this account's; someone else signing in (after
    // signing out) gets a grant of their own.
    const earlier =
      details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)
    const grant =
      earlier?.accountId === sub
        ? earlier
        : new provider.Grant({ accountId: sub, clientId: params.client_id })
    const requested = String(params.scope ?? '')
      .split(' ')
      .filter(Boolean)
    const allowed = new Set<string>(scopesFor(who.role))
    const standard = requested.filter((s) => s === 'openid' || s === 'offline_access')
    if (standard.length > 0) grant.addOIDCScope(standard.join(' '))
    // Asked for nothing in particular: everything the account may have.
    const asked = requested.filter((s) => (RESOURCE_SCOPES as readonly string[]).includes(s))
    const wanted = asked.length > 0 ? asked : [...allowed]
    const indicator = params.resource ?? resource
    const granted = wanted.filter((s) => allowed.has(s))
    const refused = wanted.filter((s) => !allowed.has(s))
    if (granted.length > 0) grant.addResourceScope(indicator, granted.join(' '))
    // Refused explicitly, so the consent check does not ask again and again.
    if (refused.length > 0) grant.rejectResourceScope(indicator, refused.join(' '))
    const grantId = await grant.save()
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: sub }, consent: grant === earlier ? {} : { grantId } },
      { mergeWithLastSubmission: false },
    )
  }

  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const auto = options.autoSignIn?.()
      if (req.method === 'GET' && auto !== undefined) {
        await finish(req, res, auto)
        return
      }
      if (req.method === 'GET') {
        const { uid, params } = await provider.interactionDetails(req, res)
        const client = await provider.Client.find(String(params.client_id ?? ''))
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          // Browsers hold the redirects that follow the form to form-action as well: the client's
          // redirect URI (already checked against its registration) must be allowed too.
          'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${sourceOf(String(params.redirect_uri ?? ''))}`,
        })
        res.end(
          signInPage(uid, await options.accounts(), {
            client: client?.clientName ?? String(params.client_id ?? 'an application'),
            resource: String(params.resource ?? resource),
            scopes: String(params.scope ?? '')
              .split(' ')
              .filter((s) => (RESOURCE_SCOPES as readonly string[]).includes(s)),
          }),
        )
        return
      }
      const form = new URLSearchParams(await text(req))
      await finish(req, res, form.get('account') ?? '')
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`Sign-in failed: ${(error as Error).message}\n`)
    }
  }

  const callback = provider.callback()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname
    if (/^\/interaction\/[\w-]+$/.test(path)) {
      void interaction(req, res)
    } else if (path === '/' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(homePage(issuer, options.resources))
    } else {
      void callback(req, res)
    }
  })
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A redirect URI as a CSP source: its origin, or its scheme for an app's own (`cursor:`). */
function sourceOf(redirectUri: string): string {
  try {
    const url = new URL(redirectUri)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol
  } catch {
    return ''
  }
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )
}

/** The sign-in page: one button per demo account. Names come from anyone: escaped. */
function signInPage(
  uid: string,
  accounts: DevAccount[],
  asked: { client: string; resource: string; scopes: string[] },
): string {
  const buttons = accounts
    .map(
      (a) =>
        `<button name="account" value="${escapeHtml(a.sub)}">${escapeHtml(a.name)}` +
        ` <small>${escapeHtml(a.email)} · ${a.role}</small></button>`,
    )
    .join('\n')
  const scopes =
    asked.scopes.length === 0
      ? 'everything the account may do'
      : `${asked.scopes.join(', ')}; each account gets only what its role allows`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · digital-fte (development)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem}button{display:block;width:100%;margin:.4rem 0;padding:.6rem;text-align:left}</style>
</head><body>
<h1>Sign in</h1>
<p><strong>${escapeHtml(asked.client)}</strong> asks to use <code>${escapeHtml(asked.resource)}</code> as you (${escapeHtml(scopes)}; <code>staff</code>, acting for any customer, goes to support staff only).</p>
<p>Development sign-in: no password, choose who you are.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
${buttons || '<p>No demo accounts: start the server once (npm start) to load the demo data.</p>'}
</form>
</body></html>
`
}

/** What the issuer's own address shows: nothing to do here, and where things are. */
function homePage(issuer: string, resources: readonly string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>digital-fte development sign-in</title></head>
<body style="font:16px system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>digital-fte development sign-in</h1>
<p>The development authorization server for ${resources.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ')}.
Nothing to do here: an MCP client finds it on its own and opens its sign-in page when it needs one.</p>
<p>Metadata: <a href="/.well-known/oauth-authorization-server">/.well-known/oauth-authorization-server</a></p>
<p>Issuer: <code>${escapeHtml(issuer)}</code></p>
</body></html>
`
}

/** Registered clients kept in a file, so that they survive a restart. */
interface SavedClients {
  clients: Record<string, AdapterPayload>
  save(clients: Record<string, AdapterPayload>): Promise<void>
}

async function savedClients(file: string | undefined): Promise<SavedClients | undefined> {
  if (file === undefined) return undefined
  let clients: Record<string, AdapterPayload> = {}
  try {
    clients = JSON.parse(await readFile(file, 'utf8')) as Record<string, AdapterPayload>
  } catch {
    // None yet, or unreadable: clients register again (and are saved from now on).
  }
  let writing = Promise.resolve()
  return {
    clients,
    save: (all) => {
      writing = writing
        .then(async () => {
          await mkdir(dirname(file), { recursive: true })
          await writeFile(file, `${JSON.stringify(all)}\n`, { mode: 0o600 })
        })
        .catch(() => {})
      return writing
    },
  }
}

/** What oidc-provider revokes with a grant (as its own memory adapter does). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
])

/** oidc-provider's storage, in memory: one map per server; registered clients also in a file. */
function memoryAdapter(saved?: SavedClients): (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number | undefined }>()
  for (const [id, payload] of Object.entries(saved?.clients ?? {})) {
    store.set(`Client:${id}`, { payload, expiresAt: undefined })
  }
  const persist = async () => {
    if (saved === undefined) return
    const clients: Record<string, AdapterPayload> = {}
    for (const [key, { payload }] of store) {
      if (key.startsWith('Client:')) clients[key.slice('Client:'.length)] = payload
    }
    await saved.save(clients)
  }
  const byGrant = new Map<string, Set<string>>()
  const get = (key: string): AdapterPayload | undefined => {
    const hit = store.get(key)
    if (hit === undefined) return undefined
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) {
      store.delete(key)
      return undefined
    }
    return hit.payload
  }
  const index = (key: string) => (get(key) as { id?: string } | undefined)?.id
  return (model) => ({
    async upsert(id, payload, expiresIn) {
      const key = `${model}:${id}`
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined
      store.set(key, { payload, expiresAt })
      if (model === 'Client') await persist()
      if (model === 'Session' && payload.uid !== undefined) {
        store.set(`uid:${payload.uid}`, { payload: { id } as AdapterPayload, expiresAt })
      }
      if (payload.userCode !== undefined) {
        store.set(`userCode:${payload.userCode}`, { payload: { id } as AdapterPayload, expiresAt })
      }
      // Only a grant's tokens and codes go with it: an interaction also names the grant it
      // continues, and must outlive that grant's end (signing in as someone else ends it).
      if (payload.grantId !== undefined && GRANTABLE.has(model)) {
        const keys = byGrant.get(payload.grantId) ?? new Set<string>()
        keys.add(key)
        byGrant.set(payload.grantId, keys)
      }
    },
    async find(id) {
      return get(`${model}:${id}`)
    },
    async findByUid(uid) {
      const id = index(`uid:${uid}`)
      return id === undefined ? undefined : get(`${model}:${id}`)
    },
    async findByUserCode(userCode) {
      const id = index(`userCode:${userCode}`)
      return id === undefined ? undefined : get(`${model}:${id}`)
    },
    async consume(id) {
      const payload = get(`${model}:${id}`)
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000)
    },
    async destroy(id) {
      store.delete(`${model}:${id}`)
      if (model === 'Client') await persist()
    },
    async revokeByGrantId(grantId) {
      for (const key of byGrant.get(grantId) ?? []) store.delete(key)
      byGrant.delete(grantId)
    },
  })
}
