import {
  localhostAllowedHostnames,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server'

export interface HostOriginOptions {
  /** This server's public URL: its host name is answered besides the loopback names. */
  publicUrl: string
  /** Other sites (scheme, host and port) whose pages may call this server: CORS_ORIGINS. */
  corsOrigins?: readonly string[] | undefined
}

/** Why a request names a Host or Origin that is not this server's; undefined: it may proceed. */
export type HostOriginCheck = (request: Request) => string | undefined

/**
 * The wall against DNS rebinding and cross-site requests, one for every route of the server's
 * port (with the exceptions its routes name): the `Host` must be a loopback name or
 * `publicUrl`'s host, and an `Origin`, when sent, one of those host names (on any port, as the
 * MCP SDK has it) or exactly one of `corsOrigins`. A request without `Origin` did not come from a
 * page on another site: browsers send it on every cross-site request that could change anything.
 */
export function hostOriginCheck(options: HostOriginOptions): HostOriginCheck {
  const hostnames = [
    ...new Set([...localhostAllowedHostnames(), new URL(options.publicUrl).hostname]),
  ]
  // Normalised now, so that a bad entry fails at start-up rather than on a request.
  const corsOrigins = new Set((options.corsOrigins ?? []).map((origin) => new URL(origin).origin))
  return (request) => {
    // Hono's and the MCP SDK's Node adapters build the URL from the Host header; a request made in
    // memory may have only the URL.
    const host = validateHostHeader(
      request.headers.get('host') ?? new URL(request.url).host,
      hostnames,
    )
    if (!host.ok) return host.message
    const origin = request.headers.get('origin')
    if (origin !== null && corsOrigins.has(origin)) return undefined
    const checked = validateOriginHeader(origin, hostnames)
    return checked.ok ? undefined : checked.message
  }
}
