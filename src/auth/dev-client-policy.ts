import { errors } from 'oidc-provider'

/** The name of the web UI's client, configured on the server. */
export const WEB_CLIENT_NAME = 'the digital-fte web UI'

/** What a client that registered itself may do: sign people in (and refresh), nothing else. */
const SELF_REGISTERED_GRANTS = new Set(['authorization_code', 'refresh_token'])

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** An address on this machine, by its exact host name (a URL's `hostname`: `[::1]` in brackets). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname)
}

/** A client named by the URL of its metadata document: registered clients' ids are never URLs. */
export function isDocumentUrl(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId)
}

interface Metadata {
  client_id?: unknown
  client_name?: unknown
  grant_types?: unknown
  redirect_uris?: unknown
  post_logout_redirect_uris?: unknown
}

/**
 * Refuses metadata a client not configured on the server may not have, whether it registered
 * itself or is described by a metadata document: a grant other than the code flow's (client
 * credentials would be tokens with no person behind them, for anyone who asks); a name that
 * passes for this product's own (the sign-in page shows it as who is asking); a redirect in the
 * clear to another machine (MCP: https, or loopback); no name at all for a metadata document.
 * Checked at registration, whenever a stored client is loaded, and for every document read.
 */
export function checkSelfRegistered(metadata: Metadata): void {
  const grants = Array.isArray(metadata.grant_types) ? metadata.grant_types : []
  const refused = grants.filter((g) => !SELF_REGISTERED_GRANTS.has(String(g)))
  if (refused.length > 0) {
    throw new errors.InvalidClientMetadata(
      `a client that registers itself may use authorization_code and refresh_token only, not ${refused.join(', ')}; client_credentials is for clients configured on the server`,
    )
  }
  const name = typeof metadata.client_name === 'string' ? metadata.client_name : ''
  if (soundsLikeUs(name)) {
    throw new errors.InvalidClientMetadata(
      `client_name "${name}" is reserved: names with "digital-fte" in them are for the clients configured on the server`,
    )
  }
  for (const key of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    const uris = Array.isArray(metadata[key]) ? (metadata[key] as unknown[]) : []
    // Unparseable ones are oidc-provider's to refuse; an app's own scheme (`cursor:`) goes on.
    const inTheClear = uris.map((u) => URL.parse(String(u))).filter((u) => u?.protocol === 'http:')
    if (inTheClear.some((url) => url !== null && !isLoopback(url))) {
      throw new errors.InvalidClientMetadata(
        `${key} must be https, an http address on loopback (127.0.0.1, [::1], localhost), or an app's own scheme`,
      )
    }
  }
  if (isDocumentUrl(String(metadata.client_id ?? '')) && name.trim() === '') {
    throw new errors.InvalidClientMetadata(
      'a client_id metadata document must give a client_name: the sign-in page shows it',
    )
  }
}

/** "Digital FTE", "digital_fte", "DIGITAL-fte web ui", … : letters and digits alone compared. */
function soundsLikeUs(name: string): boolean {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')
    .includes('digitalfte')
}
