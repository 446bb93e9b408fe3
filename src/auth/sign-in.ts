import type { AuthConfig } from '../config/sections/auth.ts'
import { CallerError, ConfigError } from '../lib/errors.ts'
import { type DevAccount, startDevAuthServer } from './dev-server.ts'
import { devClientsFile, devKey } from './dev-token.ts'
import { type TokenVerifier, tokenVerifier } from './token-verifier.ts'

/** Who signs users in for this server, and how their tokens are checked. */
export interface SignIn {
  /** The authorization server's issuer URL, published in the protected-resource metadata. */
  issuer: string
  /** True when it is the bundled development server, running in this process. */
  development: boolean
  verify: TokenVerifier
  /** The one audience `/mcp` accepts: its own URL, or AUTH_AUDIENCE. */
  mcpAudience: string
  /** The web UI's client id at the issuer; undefined: none is configured (AUTH_WEB_CLIENT_ID). */
  webClientId: string | undefined
  close(): Promise<void>
}

export interface SignInOptions {
  auth: AuthConfig
  /**
   * This server's resource URLs, `/mcp`'s first: what the development server issues tokens for,
   * and (unless AUTH_AUDIENCE says otherwise) what a token's audience must be one of.
   */
  resources: readonly [string, ...string[]]
  dataDir: string
  /** The scopes the development server's tokens may carry (`resourceScopes`). */
  scopes: readonly string[]
  /** Where the development server listens (0: any free port). */
  devPort: number
  /** Who the development server offers. */
  accounts: () => Promise<DevAccount[]>
  /** The redirect URIs of the web UI, which the development server registers as a client. */
  webRedirectUris: string[]
}

/** The web UI's client id at the development server. */
export const DEV_WEB_CLIENT_ID = 'fte-web'

/**
 * AUTH_ISSUER set: tokens from that issuer, checked against its key set (AUTH_JWKS_URL, or the
 * `jwks_uri` of its discovery metadata). Unset: the bundled development authorization server on
 * a loopback port (AUTH_DEV_PORT), signing with the development key in the data folder.
 */
export async function startSignIn(options: SignInOptions): Promise<SignIn> {
  const { auth, resources } = options
  const audience = auth.audience ?? resources
  const mcpAudience = auth.audience ?? resources[0]
  if (auth.issuer !== undefined) {
    const jwksUrl = auth.jwksUrl ?? (await discoverJwksUrl(auth.issuer))
    return {
      issuer: auth.issuer,
      development: false,
      verify: tokenVerifier({ issuer: auth.issuer, audience, keys: { url: jwksUrl } }),
      mcpAudience,
      webClientId: auth.webClientId,
      close: async () => {},
    }
  }
  const key = await devKey(options.dataDir)
  const server = await startDevAuthServer({
    resources,
    signingKey: key.privateJwk,
    scopes: options.scopes,
    accounts: options.accounts,
    webClient: { clientId: DEV_WEB_CLIENT_ID, redirectUris: options.webRedirectUris },
    port: options.devPort,
    clientsFile: devClientsFile(options.dataDir),
  }).catch((error: NodeJS.ErrnoException) => {
    throw new CallerError(
      'port_in_use',
      error.code === 'EADDRINUSE'
        ? `The development sign-in port ${options.devPort} is in use: stop the other process, or set AUTH_DEV_PORT.`
        : `The development sign-in server could not start: ${error.message}`,
      { cause: error },
    )
  })
  return {
    issuer: server.issuer,
    development: true,
    // The key is at hand: no need to fetch the server's own JWKS over HTTP.
    verify: tokenVerifier({
      issuer: server.issuer,
      audience,
      keys: { set: { keys: [key.publicJwk] } },
    }),
    mcpAudience,
    webClientId: DEV_WEB_CLIENT_ID,
    close: () => server.close(),
  }
}

/** The issuer's `jwks_uri`, from its OAuth (RFC 8414) or OpenID discovery metadata. */
async function discoverJwksUrl(issuer: string): Promise<string> {
  const tried: string[] = []
  for (const path of [
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
  ]) {
    const url = `${issuer.replace(/\/$/, '')}${path}`
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
      if (response.ok) {
        const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown }
        if (metadata.issuer === issuer && typeof metadata.jwks_uri === 'string') {
          return metadata.jwks_uri
        }
        tried.push(`${url}: no jwks_uri for issuer ${issuer}`)
      } else {
        tried.push(`${url}: HTTP ${response.status}`)
      }
    } catch (error) {
      tried.push(`${url}: ${(error as Error).message}`)
    }
  }
  throw new ConfigError(
    `Cannot find the key set of AUTH_ISSUER ${issuer} (${tried.join('; ')}). Check the URL, or set AUTH_JWKS_URL.`,
  )
}
