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
  /** The last sign-in page shown, when the server showed one. */
  signInPage: string | undefined
  /** Who to pick on a sign-in page (its form's `account` value), like a person clicking. */
  readonly account: string | undefined
  /** Its metadata document's URL: its client id where the server reads such documents. */
  readonly clientMetadataUrl?: string
  #client: OAuthClientInformationMixed | undefined
  #tokens: OAuthTokens | undefined
  #verifier = ''
  #discovery: OAuthDiscoveryState | undefined

  constructor(
    options: { account?: string; tokens?: OAuthTokens; clientMetadataUrl?: string } = {},
  ) {
    this.account = options.account
    this.#tokens = options.tokens
    if (options.clientMetadataUrl !== undefined) this.clientMetadataUrl = options.clientMetadataUrl
  }

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
    const browsed = await browseSignIn(url, this.redirectUrl, this.account)
    this.signInPage = browsed.page
    const error = browsed.callback.searchParams.get('error')
    if (error !== null) {
      throw new Error(`${error}: ${browsed.callback.searchParams.get('error_description') ?? ''}`)
    }
    this.callback = browsed.callback.searchParams
  }
}

/**
 * A browser's part of a sign-in, by `fetch`: follows the authorization server's redirects (with
 * its cookies) from `url` until one leads to `redirectUrl`, and returns that URL without visiting
 * it. On a sign-in page it submits the form for `account`, as a person clicking would.
 */
export async function browseSignIn(
  url: URL,
  redirectUrl: string,
  account?: string,
): Promise<{ callback: URL; page: string | undefined }> {
  const cookies = new Map<string, string>()
  const remember = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? ''
      const at = pair.indexOf('=')
      cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
  }
  const jar = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  let page: string | undefined
  let next = url
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: jar() } })
    remember(response)
    let location = response.headers.get('location')
    if (response.status === 200 && account !== undefined) {
      // The sign-in page: submit its form as if the account's button were clicked.
      page = await response.text()
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1]
      if (action === undefined) throw new Error(`no sign-in form at ${next}`)
      const submitted = await fetch(new URL(action.replaceAll('&amp;', '&'), next), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar() },
        body: new URLSearchParams({ account }),
      })
      remember(submitted)
      location = submitted.headers.get('location')
      if (location === null) {
        throw new Error(`sign-in refused (${submitted.status}): ${await submitted.text()}`)
      }
    } else if (location === null) {
      throw new Error(`sign-in stopped at ${next} (${response.status}): ${await response.text()}`)
    }
    const target = new URL(location, next)
    if (target.href.startsWith(redirectUrl)) return { callback: target, page }
    next = target
  }
  throw new Error('sign-in redirected too many times')
}
