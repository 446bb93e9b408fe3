import type { KoaContextWithOIDC } from 'oidc-provider'
import { isLoopback } from './dev-client-policy.ts'
import { leavingPage } from './dev-pages.ts'

type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<void>

/**
 * Runs after oidc-provider has answered: when that answer would send the browser straight on to
 * another host for a client not configured here (one that registered itself, or one a metadata
 * document describes), be it an authorization answer or error or a logout, the redirect becomes a
 * page naming the destination, with a link to it. Anyone may register a client, or publish a
 * document, with any https redirect URI, so without it a link to this server bounces visitors
 * wherever its author likes. Clients configured on the server, loopback destinations and app
 * schemes (`cursor:`) go on directly. An auto-submitted form (`response_mode=form_post`) to
 * another host is refused: it would leave with no page in between.
 */
export function leavingCheck(preRegistered: ReadonlySet<string>): Middleware {
  return async (ctx, next) => {
    await next()
    const client = ctx.oidc?.client
    if (client === undefined || preRegistered.has(client.clientId)) return
    const name = client.clientName ?? client.clientId
    if (ctx.status >= 300 && ctx.status < 400) {
      const destination = elsewhere(ctx.response.get('location'))
      if (destination === undefined) return
      ctx.remove('location')
      answer(ctx, 200, leavingPage(client.clientId, name, destination))
      return
    }
    const { params } = ctx.oidc
    const formTo =
      params?.response_mode === 'form_post' ? elsewhere(params.redirect_uri) : undefined
    if (formTo !== undefined) {
      answer(
        ctx,
        400,
        `<!doctype html><meta charset="utf-8"><p>This development sign-in sends an application not configured here to ${formTo.host} by redirect only: use response_mode=query.</p>\n`,
      )
    }
  }
}

/** The URL a redirect leads to, when it is another host over http(s). */
function elsewhere(location: unknown): URL | undefined {
  if (typeof location !== 'string' || location === '') return undefined
  let url: URL
  try {
    url = new URL(location)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  return isLoopback(url) ? undefined : url
}

function answer(ctx: KoaContextWithOIDC, status: number, html: string): void {
  ctx.status = status
  ctx.type = 'html'
  ctx.body = html
  ctx.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  ctx.set('referrer-policy', 'no-referrer')
}
