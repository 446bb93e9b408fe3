import type { AdapterPayload, Configuration } from 'oidc-provider'
import { isLoopback } from './dev-client-policy.ts'
import { readLoopbackDocument } from './dev-metadata-documents-loopback.ts'

export interface MetadataDocumentLimits {
  /**
   * How many documents may be fetched in any minute, default 30. Failures are not cached, so
   * without it every request naming a failing URL would fetch again.
   */
  perMinute?: number
  /** How long one fetch may take, in ms: default and at most 2500, oidc-provider's own bound. */
  timeoutMs?: number
}

/** A document's bytes at most (the draft suggests 5 KB); what a document links to, at most this. */
const DOCUMENT_BYTES = 5 * 1024
const LINKED_BYTES = 64 * 1024
/** Seconds a fetched document is used for: its Cache-Control max-age, within these bounds. */
const CACHE_SECONDS = { min: 30, max: 600 }
const CACHE_ENTRIES = 100

/** What `startDevAuthServer` hands oidc-provider, and its adapter, for clients named by a URL. */
export interface MetadataDocuments {
  /** `features.clientIdMetadataDocument`: https documents, oidc-provider's own implementation. */
  feature: NonNullable<NonNullable<Configuration['features']>['clientIdMetadataDocument']>
  fetch: NonNullable<Configuration['fetch']>
  fetchResponseBodyLimits: NonNullable<Configuration['fetchResponseBodyLimits']>
  /**
   * An http loopback document's client (the adapter's `find` for an id that is not stored):
   * oidc-provider fetches https only, and tests and local tools serve their documents on
   * loopback. `undefined` for any other id.
   */
  findLoopback(id: string): Promise<AdapterPayload | undefined>
}

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02) at the
 * development issuer: a client whose id is the https URL of its metadata document signs in
 * without registering. oidc-provider fetches it (2.5 s, no redirects, status 200 only, no
 * special-use addresses, the document's `client_id` equal to its URL, public clients only); this
 * adds a fetch budget, size bounds, and the loopback documents a server on loopback may read.
 */
export function metadataDocuments(
  limits: MetadataDocumentLimits = {},
  now: () => number = Date.now,
): MetadataDocuments {
  const perMinute = limits.perMinute ?? 30
  const timeoutMs = limits.timeoutMs ?? 2500
  if (!Number.isSafeInteger(perMinute) || perMinute < 1) {
    throw new TypeError(`metadata document perMinute must be a whole number ≥ 1, not ${perMinute}`)
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2500) {
    throw new TypeError(`metadata document timeoutMs must be 1 to 2500, not ${timeoutMs}`)
  }
  const recent: number[] = []
  const allowFetch = (): boolean => {
    const at = now()
    while (recent.length > 0 && (recent[0] ?? 0) <= at - 60_000) recent.shift()
    if (recent.length >= perMinute) return false
    recent.push(at)
    return true
  }
  const cache = new Map<string, { payload: AdapterPayload; until: number }>()

  return {
    feature: { enabled: true, ack: 'draft-02', allowFetch, cacheDuration: CACHE_SECONDS },
    fetchResponseBodyLimits: {
      'client_id metadata document': DOCUMENT_BYTES,
      // Unbounded by default; a document may name them.
      jwks_uri: LINKED_BYTES,
      sector_identifier_uri: LINKED_BYTES,
    },
    // This server listens on loopback only, and a document on this very machine may be read (the
    // draft allows special-use addresses when everything runs on loopback). Only these exact host
    // names are exempt: `[::ffff:127.0.0.1]` and every other host keep oidc-provider's dispatcher,
    // which refuses special-use addresses once connected (so DNS rebinding cannot slip past).
    fetch: (input, init = {}) => {
      const url = new URL(input instanceof Request ? input.url : input)
      const signal = AbortSignal.any([
        ...(init.signal ? [init.signal] : []),
        AbortSignal.timeout(timeoutMs),
      ])
      const { dispatcher: _, ...direct } = init as RequestInit & { dispatcher?: unknown }
      return fetch(input, { ...(isLoopback(url) ? direct : init), signal })
    },
    async findLoopback(id) {
      const hit = cache.get(id)
      if (hit !== undefined && hit.until > now()) return hit.payload
      cache.delete(id)
      const read = await readLoopbackDocument(id, {
        maxBytes: DOCUMENT_BYTES,
        timeoutMs,
        allowFetch,
      })
      if (read === undefined) return undefined
      const seconds = Math.min(CACHE_SECONDS.max, Math.max(CACHE_SECONDS.min, read.maxAge ?? 0))
      // Bounded like oidc-provider's own cache: the oldest entry goes first.
      if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value ?? '')
      cache.set(id, { payload: read.payload, until: now() + seconds * 1000 })
      return read.payload
    },
  }
}
