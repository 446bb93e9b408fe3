import { errors } from 'oidc-provider'

/** The name of the web UI's client, configured on the server. */
export const WEB_CLIENT_NAME = 'the digital-fte web UI'

/** What a client that registered itself may do: sign people in (and refresh), nothing else. */
const SELF_REGISTERED_GRANTS = new Set(['authorization_code', 'refresh_token'])

interface Metadata {
  client_name?: unknown
  grant_types?: unknown
}

/**
 * Refuses metadata a client that registered itself may not have: a grant other than the code
 * flow's (client credentials would be tokens with no person behind them, for anyone who asks),
 * or a name that passes for this product's own (the sign-in page shows it as who is asking).
 * Checked at registration and again whenever a stored client is loaded.
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
}

/** "Digital FTE", "digital_fte", "DIGITAL-fte web ui", … : letters and digits alone compared. */
function soundsLikeUs(name: string): boolean {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')
    .includes('digitalfte')
}
