import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { LOOPBACK } from './dev-issuer.ts'

/**
 * A test-only certificate for 127.0.0.1, [::1], [::ffff:127.0.0.1] and localhost (valid for a century; its key is in
 * the repository and protects nothing). Committed rather than made at setup: unit tests start no
 * process, and no test needs openssl.
 */
const TLS = {
  cert: readFileSync(new URL('../fixtures/loopback-tls/cert.pem', import.meta.url), 'utf8'),
  key: readFileSync(new URL('../fixtures/loopback-tls/key.pem', import.meta.url), 'utf8'),
}

/**
 * Trusts the test certificate, in this thread only (a test file's worker): call it before the
 * file's first TLS connection.
 */
export function trustLoopbackCertificate(): void {
  setDefaultCACertificates([...getCACertificates('default'), TLS.cert])
}

/** How the host answers one request. */
export interface DocumentAnswer {
  status?: number
  headers?: Record<string, string>
  /** JSON-encoded unless already a string. */
  body?: unknown
  /** Waits this long before answering. */
  delayMs?: number
}

/** A client's metadata document for `url`, as MCP clients publish one; `extra` overrides. */
export function clientDocument(url: string, extra: Record<string, unknown> = {}) {
  return {
    client_id: url,
    client_name: 'documented test client',
    redirect_uris: [LOOPBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  }
}

/** A web server on 127.0.0.1 serving metadata documents, counting what reaches it. */
export class DocumentHost {
  /** Requests per path. */
  readonly hits = new Map<string, number>()
  /** TCP connections accepted, whether or not a request followed. */
  connections = 0
  readonly #server: Server
  readonly #origin: string

  private constructor(server: Server, origin: string) {
    this.#server = server
    this.#origin = origin
  }

  /** Serves `answer(url)` for every request: http, or https with the test certificate. */
  static async start(
    answer: (url: string) => DocumentAnswer,
    scheme: 'http' | 'https' = 'http',
  ): Promise<DocumentHost> {
    const server = scheme === 'https' ? createHttpsServer(TLS) : createHttpServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const host = new DocumentHost(
      server,
      `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    )
    server.on('connection', () => host.connections++)
    server.on('request', async (req, res) => {
      const path = req.url ?? '/'
      host.hits.set(path, (host.hits.get(path) ?? 0) + 1)
      const { status = 200, headers = {}, body = '', delayMs = 0 } = answer(host.url(path))
      if (delayMs > 0) await sleep(delayMs)
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    })
    return host
  }

  /** The URL of `path` here. */
  url(path: string): string {
    return `${this.#origin}${path}`
  }

  /** The port, for URLs that spell the host another way. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }
}
