import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  OAuthTokens,
} from '@modelcontextprotocol/client'

/**
 * The official SDK client's OAuth hooks, with the browser leg done by `fetch`: it follows the
 * authorization server's redirects (keeping its cookies) until they reach `redirectUrl`, and keeps
 * what arrives there for `finishAuth`. Nothing listens on `redirectUrl`.
 */
export class HeadlessOAuth implements OAuthClientProvider {
  readonly redirectUrl = 'http://127.0.0.1:53682/callback'
  /** The query of the last redirect to `redirectUrl`: code, state, iss. */
  callback: URLSearchParams | undefined
  #client: OAuthClientInformationMixed | undefined
  #tokens: OAuthTokens | undefined
  #verifier = ''
  #discovery: OAuthDiscoveryState | undefined

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'headless test client',
      redirect_uris: [this.redirectUrl],
      token_endpoint_auth_method: 'none',
    }
  }
  clientInformation() {
    return this.#client
  }
  saveClientInformation(client: OAuthClientInformationMixed) {
    this.#client = client
  }
  tokens() {
    return this.#tokens
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier
  }
  codeVerifier() {
    return this.#verifier
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.#discovery = state
  }
  discoveryState() {
    return this.#discovery
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    const cookies = new Map<string, string>()
    let next = url
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(next, {
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      })
      for (const cookie of response.headers.getSetCookie()) {
        const pair = cookie.split(';')[0] ?? ''
        const at = pair.indexOf('=')
        cookies.set(pair.slice(0, at), pair.slice(at + 1))
      }
      const location = response.headers.get('location')
      if (location === null) {
        throw new Error(`sign-in stopped at ${next} (${response.status}): ${await response.text()}`)
      }
      const target = new URL(location, next)
      if (target.href.startsWith(this.redirectUrl)) {
        const error = target.searchParams.get('error')
        if (error !== null) {
          throw new Error(`${error}: ${target.searchParams.get('error_description') ?? ''}`)
        }
        this.callback = target.searchParams
        return
      }
      next = target
    }
    throw new Error('sign-in redirected too many times')
  }
}
