import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { text } from 'node:stream/consumers'
import type { JWK } from 'jose'
import Provider, { type AsymmetricSigningAlgorithm, errors } from 'oidc-provider'
import { devStorage } from './dev-adapter.ts'
import { checkSelfRegistered, WEB_CLIENT_NAME } from './dev-client-policy.ts'
import { openClientsFile } from './dev-clients-file.ts'
import { leavingCheck } from './dev-leaving-check.ts'
import { type MetadataDocumentLimits, metadataDocuments } from './dev-metadata-documents.ts'
import { askerOf, homePage, signInPage } from './dev-pages.ts'
import { type RegistrationLimits, registrationLimits } from './dev-registration-limits.ts'
import { scopesFor } from './scopes.ts'

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
  /** The scopes its tokens may carry (`resourceScopes`: the core's and the pack's). */
  scopes: readonly string[]
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
   * Where registered clients are kept across restarts (a file, mode 600, one line appended per
   * registration): clients such as the MCP Inspector keep their client id, so a restart must not
   * forget it. Default: memory only.
   */
  clientsFile?: string
  /** Bounds on open registration (defaults: 100 clients, 10 registrations a minute). */
  registration?: RegistrationLimits
  /** Bounds on fetching clients' metadata documents (defaults: 30 a minute, 2.5 s each). */
  metadataDocuments?: MetadataDocumentLimits
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
 * for this server's resources. Its sign-in page lets you pick a demo customer or the demo staff
 * user. A client whose id is the URL of its metadata document signs in without registering.
 * Registration is bounded; a client not configured here signs people in only (no client
 * credentials), cannot pass for the web UI, redirects in the clear to loopback only, and sends
 * the browser to another host only through a page naming it. Registered clients are kept in
 * `clientsFile`; other state lives in memory. Authorization responses carry `iss` (RFC 9207).
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
  // Clients configured here are trusted as written; any other registered itself or is a document.
  const preRegistered = new Set([
    ...scriptScopes.keys(),
    ...(options.webClient === undefined ? [] : [options.webClient.clientId]),
  ])
  const documents = metadataDocuments(options.metadataDocuments)
  const storage = devStorage(
    options.clientsFile === undefined ? undefined : await openClientsFile(options.clientsFile),
    documents.findLoopback,
  )

  const provider = new Provider(issuer, {
    adapter: storage.adapter,
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
              client_name: WEB_CLIENT_NAME,
              token_endpoint_auth_method: 'none' as const,
              grant_types: ['authorization_code'],
              response_types: ['code' as const],
              redirect_uris: options.webClient.redirectUris,
            },
          ]),
    ],
    jwks: { keys: [options.signingKey] },
    fetch: documents.fetch,
    fetchResponseBodyLimits: documents.fetchResponseBodyLimits,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access'],
    // A client's registered `scope` would become an allow-list and block a later step-up: what a
    // token may carry is decided per account (the grant) and per script client instead.
    // (The validator runs once per listed property, present or not: one of our own does it.)
    // It also holds a client not configured here (registered, or a document) to what it may be.
    extraClientMetadata: {
      properties: ['x_fte'],
      validator(_ctx, _key, _value, metadata) {
        delete (metadata as { scope?: unknown }).scope
        if (!preRegistered.has(String(metadata.client_id))) checkSelfRegistered(metadata)
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
      clientIdMetadataDocument: documents.feature,
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
                : options.scopes.join(' '),
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
      return found === undefined
        ? undefined
        : { email: found.email, email_verified: true, name: found.name }
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

  provider.use(
    registrationLimits(
      provider.pathFor('registration'),
      options.registration ?? {},
      storage.registeredClients,
    ),
  )
  provider.use(leavingCheck(preRegistered))

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
    const allowed = new Set<string>(scopesFor(who.role, options.scopes))
    const standard = requested.filter((s) => s === 'openid' || s === 'offline_access')
    if (standard.length > 0) grant.addOIDCScope(standard.join(' '))
    // Asked for nothing in particular: everything the account may have.
    const asked = requested.filter((s) => options.scopes.includes(s))
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
        const clientId = String(params.client_id ?? '')
        res.end(
          signInPage(uid, await options.accounts(), {
            client: askerOf(
              client ?? { clientId: clientId || 'an application' },
              String(params.redirect_uri ?? ''),
              preRegistered.has(clientId),
            ),
            resource: String(params.resource ?? resource),
            scopes: String(params.scope ?? '')
              .split(' ')
              .filter((s) => options.scopes.includes(s)),
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
