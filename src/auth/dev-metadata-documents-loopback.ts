import { type AdapterPayload, errors } from 'oidc-provider'
import { isLoopback } from './dev-client-policy.ts'

/** Shared secrets cannot be kept by a client anyone may name (oidc-provider refuses them too). */
const SHARED_SECRET_METHODS = new Set([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
])
/** Where a document may send people or have keys fetched from: https only (oidc-provider's `WEB_URI`). */
const WEB_URIS = [
  'backchannel_client_notification_endpoint',
  'backchannel_logout_uri',
  'client_uri',
  'initiate_login_uri',
  'jwks_uri',
  'logo_uri',
  'policy_uri',
  'sector_identifier_uri',
  'tos_uri',
]

export interface LoopbackReadOptions {
  maxBytes: number
  timeoutMs: number
  /** The fetch budget: false refuses this fetch. */
  allowFetch(): boolean
}

/**
 * An http loopback metadata document, read by the rules oidc-provider applies to https ones: no
 * redirects, status 200 only, a time and a size bound, a JSON object whose `client_id` is its URL
 * exactly, a public client. `undefined` when `id` is not an http URL on a loopback host (such an
 * id names no client here). The errors are generic: the document is never echoed, since this
 * reads addresses on this machine for whoever asks.
 */
export async function readLoopbackDocument(
  id: string,
  options: LoopbackReadOptions,
): Promise<{ payload: AdapterPayload; maxAge: number | undefined } | undefined> {
  const url = URL.parse(id)
  // Its canonical form only: no dot segments, default port, userinfo, fragment or odd spelling.
  if (
    url === null ||
    url.protocol !== 'http:' ||
    !isLoopback(url) ||
    url.href !== id ||
    url.username !== '' ||
    url.password !== '' ||
    id.includes('#') ||
    url.pathname === '/'
  ) {
    return undefined
  }
  if (!options.allowFetch()) {
    throw new errors.InvalidClient('client_id metadata document fetch not allowed')
  }
  const failed = () => new errors.InvalidClient('client_id metadata document fetch failed')
  let text: string
  let maxAge: number | undefined
  try {
    const response = await fetch(id, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs),
    })
    if (response.status !== 200) {
      await response.body?.cancel()
      throw new Error(`status ${response.status}`)
    }
    const cacheControl = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(
      response.headers.get('cache-control') ?? '',
    )
    maxAge = cacheControl?.[1] === undefined ? undefined : Number(cacheControl[1])
    text = await capped(response, options.maxBytes)
  } catch {
    throw failed()
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw failed()
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new errors.InvalidClientMetadata('client_id metadata document is not a JSON object')
  }
  const properties = document as Record<string, unknown>
  if (properties.client_id !== id) {
    throw new errors.InvalidClientMetadata(
      'client_id metadata document client_id does not match the expected value',
    )
  }
  if (
    SHARED_SECRET_METHODS.has(String(properties.token_endpoint_auth_method)) ||
    'client_secret' in properties ||
    'client_secret_expires_at' in properties
  ) {
    throw new errors.InvalidClientMetadata(
      'client_id metadata document must describe a public client: no client_secret, no shared-secret authentication',
    )
  }
  for (const key of WEB_URIS) {
    if (key in properties && URL.parse(String(properties[key]))?.protocol !== 'https:') {
      throw new errors.InvalidClientMetadata(
        `client_id metadata document ${key} must be an https: URL`,
      )
    }
  }
  return { payload: properties as AdapterPayload, maxAge }
}

/** The body as text, refused once it passes `limit` bytes (declared or streamed). */
async function capped(response: Response, limit: number): Promise<string> {
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel()
    throw new Error('too large')
  }
  const chunks: Uint8Array[] = []
  let size = 0
  // Leaving the loop by throwing cancels the stream.
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength
    if (size > limit) throw new Error('too large')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
