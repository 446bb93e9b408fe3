import { devIssuer, issueDevToken } from '../../auth/dev-token.ts'
import { devIssuerUrl, publicUrl } from '../../config/config.ts'
import { FteError } from '../../lib/errors.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

export interface TokenOptions {
  sub: string
  role: 'customer' | 'staff'
  email?: string
  ttl: number
  /** The /mcp URL the token is for; default PUBLIC_URL or http://HOST:PORT, plus /mcp. */
  resource?: string
}

/**
 * `fte token`: a development access token for `/mcp`, as the development authorization server
 * would issue it (its issuer, its key in the data folder), for scripts, curl and the MCP Inspector
 * while no real issuer is configured.
 */
export async function tokenCommand(context: CliContext, options: TokenOptions): Promise<void> {
  if (!/^[\x21-\x7e]{1,255}$/.test(options.sub)) {
    throw new FteError('invalid_input', '--sub must be 1-255 printable characters without spaces', {
      fault: 'caller',
    })
  }
  const { config } = loadRuntime(context)
  if (config.auth.issuer !== undefined) {
    throw new FteError(
      'invalid_input',
      `AUTH_ISSUER is set (${config.auth.issuer}): the server accepts that issuer's tokens only, so get one from it.`,
      { fault: 'caller' },
    )
  }
  const issuer = await devIssuer(config.database.dataDir, devIssuerUrl(config.auth))
  const audience = options.resource ?? `${publicUrl(config.server)}/mcp`
  if (!/^https?:\/\/\S+\/mcp$/.test(audience)) {
    throw new FteError(
      'invalid_input',
      "--resource must be the server's /mcp URL, such as http://127.0.0.1:3300/mcp",
      { fault: 'caller' },
    )
  }
  const token = await issueDevToken(issuer, {
    sub: options.sub,
    role: options.role,
    email: options.email,
    ttlSeconds: options.ttl,
    audience,
  })
  context.stdout.write(`${token}\n`)
  context.stderr.write(
    `A ${options.role} token for ${options.sub}, valid ${options.ttl} s, for ${audience}.\n` +
      'Send it as "Authorization: Bearer <token>". Development only: anyone with the data folder can mint these.\n',
  )
}
