// @ts-check
// Sign-in as any OAuth client of this server does it: the protected-resource metadata names the
// resource and its authorization server, whose own metadata gives the endpoints; then the
// authorization code flow with PKCE for a public client, the token held in this tab only.
import * as oauth from 'oauth4webapi'

const TOKEN_KEY = 'fte.token'
const PENDING_KEY = 'fte.sign-in'
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/

/** @typedef {{ accessToken: string, expiresAt: number, issuer: string, clientId: string }} Token */
/** @typedef {{ verifier: string, state: string, issuer: string, resource: string, clientId: string }} Pending */

/** What the server's protected-resource metadata (RFC 9728) says about its own resource. */
async function discoverResource() {
  const response = await fetch('/.well-known/oauth-protected-resource')
  if (!response.ok) {
    throw new Error(`This server publishes no sign-in metadata (HTTP ${response.status}).`)
  }
  /** @type {{ resource?: unknown, authorization_servers?: unknown[], scopes_supported?: unknown[] }} */
  const metadata = await response.json()
  const issuer = metadata.authorization_servers?.[0]
  if (typeof metadata.resource !== 'string' || typeof issuer !== 'string') {
    throw new Error('The sign-in metadata of this server names no authorization server.')
  }
  const scopes = (metadata.scopes_supported ?? []).filter((s) => typeof s === 'string')
  return { resource: metadata.resource, issuer, scopes }
}

/**
 * Plain http only to a loopback issuer (the bundled development server); anything else must be
 * https, as oauth4webapi insists by default.
 * @param {string} issuer
 */
function transport(issuer) {
  const url = new URL(issuer)
  return url.protocol === 'http:' && LOOPBACK.test(url.hostname)
    ? { [oauth.allowInsecureRequests]: true }
    : {}
}

/** @param {string} issuer */
async function authorizationServer(issuer) {
  const url = new URL(issuer)
  const response = await oauth.discoveryRequest(url, { algorithm: 'oauth2', ...transport(issuer) })
  return oauth.processDiscoveryResponse(url, response)
}

function redirectUri() {
  return `${location.origin}/`
}

/**
 * Leaves for the authorization server's sign-in page; it sends the browser back here.
 * @param {string} clientId
 * @param {{ chooseAccount: boolean }} options `chooseAccount`: ask who to be even when the
 *   issuer remembers a sign-in (after signing out).
 */
export async function beginSignIn(clientId, options) {
  const { issuer, resource, scopes } = await discoverResource()
  const server = await authorizationServer(issuer)
  if (server.authorization_endpoint === undefined) {
    throw new Error(`The authorization server ${issuer} has no authorization endpoint.`)
  }
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(server.authorization_endpoint)
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    resource,
    scope: scopes.join(' '),
    ...(options.chooseAccount ? { prompt: 'login' } : {}),
  }).toString()
  /** @type {Pending} */
  const pending = { verifier, state, issuer, resource, clientId }
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending))
  location.assign(url)
}

/**
 * When this page is the end of a sign-in (`?code=` or `?error=`), trades the code for a token.
 * The address bar loses the code at once, whatever happens next.
 * @returns {Promise<Token | undefined>} undefined: this page load is not a sign-in's return.
 */
export async function finishSignIn() {
  const params = new URLSearchParams(location.search)
  if (!params.has('code') && !params.has('error')) return undefined
  history.replaceState(null, '', '/')
  const saved = sessionStorage.getItem(PENDING_KEY)
  sessionStorage.removeItem(PENDING_KEY)
  if (saved === null) {
    throw new Error('This sign-in was not started in this tab, or has already finished.')
  }
  /** @type {Pending} */
  const pending = JSON.parse(saved)
  const server = await authorizationServer(pending.issuer)
  const client = { client_id: pending.clientId }
  let callback
  try {
    callback = oauth.validateAuthResponse(server, client, params, pending.state)
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new Error(`The sign-in was refused: ${error.error_description ?? error.error}`)
    }
    throw error
  }
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    callback,
    redirectUri(),
    pending.verifier,
    { additionalParameters: { resource: pending.resource }, ...transport(pending.issuer) },
  )
  const result = await oauth.processAuthorizationCodeResponse(server, client, response)
  /** @type {Token} */
  const token = {
    accessToken: result.access_token,
    expiresAt: Date.now() + (result.expires_in ?? 300) * 1000,
    issuer: pending.issuer,
    clientId: pending.clientId,
  }
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(token))
  return token
}

/** This tab's token, unless it is missing or about to expire. */
export function storedToken() {
  const saved = sessionStorage.getItem(TOKEN_KEY)
  if (saved === null) return undefined
  /** @type {Token} */
  const token = JSON.parse(saved)
  return token.expiresAt - 30_000 > Date.now() ? token : undefined
}

/**
 * Forgets this tab's token. It is a signed JWT that the issuer cannot take back: it stays valid
 * until it expires, but nothing here holds it any more.
 */
export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY)
}
