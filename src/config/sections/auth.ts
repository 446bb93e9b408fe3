import { z } from 'zod'
import {
  boolean,
  httpUrl,
  integer,
  optionalSetting,
  problem,
  role,
  setting,
  subject,
} from '../settings.ts'

export const authSection = z
  .object({
    // Kept exactly as given: tokens must name it character for character (Auth0's ends in '/').
    AUTH_ISSUER: optionalSetting(httpUrl),
    AUTH_AUDIENCE: optionalSetting(z.string().min(1).max(500)),
    AUTH_WEB_CLIENT_ID: optionalSetting(z.string().min(1).max(500)),
    AUTH_JWKS_URL: optionalSetting(httpUrl),
    AUTH_DEV_PORT: optionalSetting(integer(0, 65_535)),
    AUTH_DISABLED: setting(boolean, false),
    AUTH_DISABLED_SUB: optionalSetting(subject),
    AUTH_DISABLED_ROLE: setting(role, 'customer'),
    AUTH_DISABLED_ALLOW_NETWORK: setting(boolean, false),
  })
  .transform((e, ctx) => {
    if (e.AUTH_DISABLED && e.AUTH_ISSUER !== undefined) {
      problem(ctx, 'AUTH_DISABLED', 'cannot be combined with AUTH_ISSUER: unset one of them')
    }
    return {
      /** An external issuer (Clerk, Auth0, ...); unset: `fte serve` runs the development one. */
      issuer: e.AUTH_ISSUER,
      /** The `aud` tokens must carry; unset: one of this server's URLs (`/mcp`'s, or its own). */
      audience: e.AUTH_AUDIENCE,
      /** The issuer's key set; unset: read from its discovery metadata. */
      jwksUrl: e.AUTH_JWKS_URL,
      /**
       * The web UI's client id at an external issuer (a public client, PKCE, redirect URI the
       * server's own URL + `/`). The development server registers its own.
       */
      webClientId: e.AUTH_WEB_CLIENT_ID,
      /** AUTH_DEV_PORT; unset: the server's port + 1 (see devPortFor). */
      devPort: e.AUTH_DEV_PORT,
      /**
       * AUTH_DISABLED: no sign-in, everyone is this stand-in (`sub` unset: the pack's demo person
       * of that role). For a personal demo on loopback only; `allowNetwork`
       * (AUTH_DISABLED_ALLOW_NETWORK) lets it bind elsewhere.
       */
      disabled: e.AUTH_DISABLED
        ? {
            sub: e.AUTH_DISABLED_SUB,
            role: e.AUTH_DISABLED_ROLE,
            allowNetwork: e.AUTH_DISABLED_ALLOW_NETWORK,
          }
        : undefined,
    }
  })

export type AuthConfig = z.output<typeof authSection>

/**
 * The development authorization server's loopback port: AUTH_DEV_PORT, or the port the server
 * listens on + 1 (any free port when that is 0).
 */
export function devPortFor(auth: AuthConfig, serverPort: number): number {
  return auth.devPort ?? (serverPort === 0 || serverPort === 65_535 ? 0 : serverPort + 1)
}

/** The development authorization server's issuer URL (its tokens' `iss`). */
export function devIssuerUrl(auth: AuthConfig, serverPort: number): string {
  return `http://127.0.0.1:${devPortFor(auth, serverPort)}`
}
