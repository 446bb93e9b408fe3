import { z } from 'zod'
import { httpUrl, integer, optionalSetting, setting, withoutTrailingSlashes } from '../settings.ts'

export const serverSection = z
  .object({
    HOST: setting(z.string(), '127.0.0.1'),
    PORT: setting(integer(0, 65_535), 3000),
    PUBLIC_URL: optionalSetting(httpUrl.transform(withoutTrailingSlashes)),
  })
  .transform((e) => ({
    host: e.HOST,
    port: e.PORT,
    /** The URL clients reach this server at; tokens are issued for `${publicUrl}/mcp`. */
    publicUrl: e.PUBLIC_URL,
  }))

export type ServerConfig = z.output<typeof serverSection>

/** Where clients reach the server: PUBLIC_URL, or http://HOST:PORT. */
export function publicUrl(server: ServerConfig, port = server.port): string {
  if (server.publicUrl !== undefined) return server.publicUrl
  const host = server.host.includes(':') ? `[${server.host}]` : server.host
  return `http://${host}:${port}`
}
