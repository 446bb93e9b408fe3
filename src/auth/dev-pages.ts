import { isDocumentUrl, isLoopback } from './dev-client-policy.ts'
import type { DevAccount } from './dev-server.ts'

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )
}

const HEAD = `<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem}button{display:block;width:100%;margin:.4rem 0;padding:.6rem;text-align:left}</style>`

/** Who asks to sign someone in, as the sign-in page names it. */
export interface Asker {
  /** The client's name (or id): its own words, unless configured on the server. */
  name: string
  /**
   * Who vouches for it: the server's configuration; nobody (it registered itself here, so nothing
   * but its redirect URI is known about it); or the host serving its metadata document, which is
   * its client id.
   */
  vouchedBy: 'configuration' | 'nobody' | { documentHost: string }
  /** Where the browser goes once someone is picked: the redirect URI's host (or scheme). */
  destination: string
  /** Every redirect URI it has is on this machine: whichever program listens there gets the code. */
  loopbackOnly: boolean
}

/** The asker of a sign-in: `client` as oidc-provider found it, asking to return to `redirectUri`. */
export function askerOf(
  client: {
    clientId: string
    clientName?: string | undefined
    redirectUris?: readonly string[] | undefined
  },
  redirectUri: string,
  configured: boolean,
): Asker {
  const uris = (client.redirectUris ?? []).map((u) => URL.parse(u))
  return {
    name: client.clientName ?? client.clientId,
    vouchedBy: configured
      ? 'configuration'
      : isDocumentUrl(client.clientId)
        ? { documentHost: URL.parse(client.clientId)?.host ?? client.clientId }
        : 'nobody',
    destination: destinationOf(redirectUri),
    loopbackOnly: uris.length > 0 && uris.every((u) => u !== null && isLoopback(u)),
  }
}

/** Where a redirect URI leads, as the sign-in page names it: its host, or an app's scheme. */
function destinationOf(redirectUri: string): string {
  const url = URL.parse(redirectUri)
  if (url === null) return 'an address it did not give'
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : url.protocol
}

/** The sign-in page: one button per demo account. Names come from anyone: escaped. */
export function signInPage(
  uid: string,
  accounts: DevAccount[],
  asked: { client: Asker; resource: string; scopes: string[] },
): string {
  const buttons = accounts
    .map(
      (a) =>
        `<button name="account" value="${escapeHtml(a.sub)}">${escapeHtml(a.name)}` +
        ` <small>${escapeHtml(a.email)} · ${a.role}</small></button>`,
    )
    .join('\n')
  const scopes =
    asked.scopes.length === 0
      ? 'everything the account may do'
      : `${asked.scopes.join(', ')}; each account gets only what its role allows`
  const { client } = asked
  const name = `<strong>${escapeHtml(client.name)}</strong>`
  const { vouchedBy } = client
  const who =
    vouchedBy === 'configuration'
      ? name
      : vouchedBy === 'nobody'
        ? `${name} (a name an application gave itself when it registered here)`
        : `${name} (named by its metadata document at <strong>${escapeHtml(vouchedBy.documentHost)}</strong>)`
  // MCP: a client known by its document but answered on loopback could be any program here.
  const warning =
    typeof vouchedBy === 'object' && client.loopbackOnly
      ? `<p><strong>Continue only if you started this sign-in yourself:</strong> what you grant goes to a program on this computer (<code>${escapeHtml(client.destination)}</code>), and any program here could pose as ${name}.</p>\n`
      : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · digital-fte (development)</title>
${HEAD}
</head><body>
<h1>Sign in</h1>
<p>${who} asks to use <code>${escapeHtml(asked.resource)}</code> as you (${escapeHtml(scopes)}; <code>staff</code>, acting for any customer, goes to support staff only).</p>
<p>Afterwards your browser goes to <strong>${escapeHtml(client.destination)}</strong>, with what you grant.</p>
${warning}<p>Development sign-in: no password, choose who you are.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
${buttons || '<p>No demo accounts: start the server once (npm start) to load the demo data.</p>'}
</form>
</body></html>
`
}

/**
 * The page between this server and another host, for an application not configured here: the
 * destination named before the browser goes there, so that a link to this server cannot bounce
 * anyone to a site they never chose.
 */
export function leavingPage(clientId: string, clientName: string, destination: URL): string {
  const shown = `${destination.origin}${destination.pathname}`
  const what = isDocumentUrl(clientId)
    ? `an application named by its metadata document at <strong>${escapeHtml(URL.parse(clientId)?.host ?? clientId)}</strong>`
    : 'an application that registered itself here'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leaving the digital-fte sign-in (development)</title>
${HEAD}
</head><body>
<h1>Leaving the sign-in</h1>
<p><strong>${escapeHtml(clientName)}</strong>, ${what}, sends you on to <strong>${escapeHtml(destination.host)}</strong> (<code>${escapeHtml(shown)}</code>).</p>
<p><a href="${escapeHtml(destination.href)}">Continue to ${escapeHtml(destination.host)}</a></p>
<p>Did not expect to go there? Close this page.</p>
</body></html>
`
}

/** What the issuer's own address shows: nothing to do here, and where things are. */
export function homePage(issuer: string, resources: readonly string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>digital-fte development sign-in</title></head>
<body style="font:16px system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>digital-fte development sign-in</h1>
<p>The development authorization server for ${resources.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ')}.
Nothing to do here: an MCP client finds it on its own and opens its sign-in page when it needs one.</p>
<p>Metadata: <a href="/.well-known/oauth-authorization-server">/.well-known/oauth-authorization-server</a></p>
<p>Issuer: <code>${escapeHtml(issuer)}</code></p>
</body></html>
`
}
