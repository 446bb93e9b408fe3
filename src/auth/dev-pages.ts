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
  /** The client's name (or id): its own words, when it registered itself. */
  name: string
  /** It registered itself here: nothing but its redirect URI is known about it. */
  selfRegistered: boolean
  /** Where the browser goes once someone is picked: the redirect URI's host (or scheme). */
  destination: string
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
  const who = client.selfRegistered
    ? `<strong>${escapeHtml(client.name)}</strong> (a name an application gave itself when it registered here)`
    : `<strong>${escapeHtml(client.name)}</strong>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · digital-fte (development)</title>
${HEAD}
</head><body>
<h1>Sign in</h1>
<p>${who} asks to use <code>${escapeHtml(asked.resource)}</code> as you (${escapeHtml(scopes)}; <code>staff</code>, acting for any customer, goes to support staff only).</p>
<p>Afterwards your browser goes to <strong>${escapeHtml(client.destination)}</strong>, with what you grant.</p>
<p>Development sign-in: no password, choose who you are.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
${buttons || '<p>No demo accounts: start the server once (npm start) to load the demo data.</p>'}
</form>
</body></html>
`
}

/**
 * The page between this server and another host, for an application that registered itself: the
 * destination named before the browser goes there, so that a link to this server cannot bounce
 * anyone to a site they never chose.
 */
export function leavingPage(clientName: string, destination: URL): string {
  const shown = `${destination.origin}${destination.pathname}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leaving the digital-fte sign-in (development)</title>
${HEAD}
</head><body>
<h1>Leaving the sign-in</h1>
<p><strong>${escapeHtml(clientName)}</strong>, an application that registered itself here, sends you on to <strong>${escapeHtml(destination.host)}</strong> (<code>${escapeHtml(shown)}</code>).</p>
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
