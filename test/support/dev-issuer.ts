import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { supportPack } from '../../domains/support/index.ts'
import {
  type DevAuthServer,
  type DevAuthServerOptions,
  startDevAuthServer,
} from '../../src/auth/dev-server.ts'
import { devKey } from '../../src/auth/dev-token.ts'
import { packScopes } from '../../src/pack/domain-pack.ts'
import { freePort } from './ports.ts'

export const RESOURCE = 'http://127.0.0.1:3000/mcp'
/** A redirect URI on another host (nothing is fetched from it). */
export const ELSEWHERE = 'https://elsewhere.example/callback'
export const LOOPBACK = 'http://127.0.0.1:53682/callback'
/** A PKCE challenge (S256); its verifier is never needed here. */
export const PKCE = {
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
}

/**
 * The development authorization server in a fresh data folder, on one port across restarts, with
 * one demo account; and what a client and a browser do with it.
 */
export class DevIssuerFixture {
  #server: DevAuthServer | undefined
  issuer = ''
  readonly dir: string
  readonly #port: number
  readonly #signingKey: DevAuthServerOptions['signingKey']

  private constructor(dir: string, port: number, signingKey: DevAuthServerOptions['signingKey']) {
    this.dir = dir
    this.#port = port
    this.#signingKey = signingKey
  }

  static async create(): Promise<DevIssuerFixture> {
    const dir = await mkdtemp(join(tmpdir(), 'fte-dev-issuer-'))
    const key = await devKey(join(dir, 'data'))
    return new DevIssuerFixture(dir, await freePort(), key.privateJwk)
  }

  get clientsFile(): string {
    return join(this.dir, 'data', 'dev-auth-clients.json')
  }

  /** Starts it (again, after closing the running one). */
  async start(options: Partial<DevAuthServerOptions> = {}): Promise<string> {
    await this.#server?.close()
    this.#server = await startDevAuthServer({
      resources: [RESOURCE],
      scopes: packScopes(supportPack),
      signingKey: this.#signingKey,
      port: this.#port,
      clientsFile: this.clientsFile,
      accounts: async () => [
        { sub: 'demo|maya', name: 'Maya', email: 'maya@example.com', role: 'customer' },
      ],
      ...options,
    })
    this.issuer = this.#server.issuer
    return this.issuer
  }

  async close(): Promise<void> {
    await this.#server?.close()
    await rm(this.dir, { recursive: true, force: true })
  }

  /** Dynamic client registration, as a public client unless the metadata says otherwise. */
  register(metadata: Record<string, unknown>): Promise<Response> {
    return fetch(`${this.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token_endpoint_auth_method: 'none', ...metadata }),
    })
  }

  /** A registered client's id; throws when the registration is refused. */
  async clientId(redirect: string, name = 'an app'): Promise<string> {
    const response = await this.register({ redirect_uris: [redirect], client_name: name })
    if (response.status !== 201) throw new Error(`registration refused: ${await response.text()}`)
    return ((await response.json()) as { client_id: string }).client_id
  }

  authorizeUrl(client: string, redirect: string, extra: Record<string, string> = {}): string {
    return `${this.issuer}/auth?${new URLSearchParams({
      client_id: client,
      redirect_uri: redirect,
      response_type: 'code',
      scope: 'read',
      resource: RESOURCE,
      ...extra,
    })}`
  }

  /** A browser's visit: follows redirects (with cookies) while they stay on the issuer. */
  async visit(url: string): Promise<Response> {
    let cookie = ''
    let next = url
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(next, { redirect: 'manual', headers: { cookie } })
      const set = response.headers.getSetCookie().map((c) => c.split(';')[0])
      if (set.length > 0) cookie = [cookie, ...set].filter(Boolean).join('; ')
      const location = response.headers.get('location')
      if (location === null || !new URL(location, next).href.startsWith(this.issuer)) {
        return response
      }
      next = new URL(location, next).href
    }
    throw new Error('too many redirects')
  }
}
