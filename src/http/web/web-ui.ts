import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Context, Hono } from 'hono'
import { etag } from 'hono/etag'
import { packageRoot } from '../../lib/package-root.ts'

export interface WebUiOptions {
  /**
   * How the page signs its user in: through `issuer` (found, as any client finds it, in the
   * server's protected-resource metadata) as the public client `clientId`, or not at all while
   * authentication is disabled. `clientId` undefined: the page says which setting is missing.
   */
  signIn: { issuer: string; clientId: string | undefined } | 'disabled'
  /** The domain pack served: the page says what it is about and suggests a first message. */
  domain?: { name: string; description: string; examplePrompt?: string | undefined } | undefined
}

/** The packages the page imports, served from the installed copies: no build step, no CDN. */
const VENDORED: Record<string, { specifier: string; entry: string }> = {
  oauth4webapi: { specifier: 'oauth4webapi', entry: 'index.js' },
  'eventsource-parser': { specifier: 'eventsource-parser/stream', entry: 'stream.js' },
}

const HTML = 'text/html; charset=utf-8'
const JS = 'text/javascript; charset=utf-8'
const TYPES: Record<string, string> = {
  '.html': HTML,
  '.js': JS,
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

interface Asset {
  body: string
  type: string
}

/**
 * The web UI: `/` and its files under `/app/`, the two packages it imports under `/vendor/`, and
 * `/app/config.json` (how to sign in). Every file is read once, here; each page response carries
 * a content security policy that allows scripts from this server only and connections to this
 * server and the issuer only.
 */
export function webUi(options: WebUiOptions): Hono {
  const publicDir = join(packageRoot(), 'src', 'http', 'web', 'public')
  const assets = new Map<string, Asset>()
  for (const name of readdirSync(publicDir)) {
    const type = TYPES[extname(name)]
    if (type !== undefined) assets.set(`/app/${name}`, { body: read(join(publicDir, name)), type })
  }
  const imports: Record<string, string> = {}
  for (const [name, { specifier, entry }] of Object.entries(VENDORED)) {
    const dir = dirname(fileURLToPath(import.meta.resolve(specifier)))
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      assets.set(`/vendor/${name}/${file}`, {
        body: stripSourceMap(read(join(dir, file))),
        type: JS,
      })
    }
    imports[specifier] = `/vendor/${name}/${entry}`
  }

  const importMap = JSON.stringify({ imports })
  const page = read(join(publicDir, 'index.html')).replace(
    '<script type="importmap"></script>',
    `<script type="importmap">${importMap}</script>`,
  )
  const issuerOrigin =
    options.signIn === 'disabled' ? '' : ` ${new URL(options.signIn.issuer).origin}`
  const policy = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${createHash('sha256').update(importMap).digest('base64')}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${issuerOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
  const config = JSON.stringify({
    ...(options.signIn === 'disabled'
      ? { signIn: 'disabled' }
      : { signIn: 'oauth', clientId: options.signIn.clientId ?? null }),
    domain: options.domain ?? null,
  })

  const security = {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    // The page's address holds the authorization code for a moment: never sent elsewhere.
    'referrer-policy': 'no-referrer',
  }
  const app = new Hono()
  app.use('/app/*', etag())
  app.use('/vendor/*', etag())
  app.get('/', (c) =>
    c.body(page, 200, { ...security, 'content-type': HTML, 'cache-control': 'no-store' }),
  )
  app.get('/app/config.json', (c) =>
    c.body(config, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }),
  )
  app.get('/app/:file', (c) => serve(c))
  app.get('/vendor/:name/:file', (c) => serve(c))

  function serve(c: Context) {
    const asset = assets.get(c.req.path)
    if (asset === undefined) return c.notFound()
    const headers = { ...security, 'content-type': asset.type, 'cache-control': 'no-cache' }
    return new Response(asset.body, { headers })
  }
  return app
}

function read(file: string): string {
  return readFileSync(file, 'utf8')
}

/** The maps themselves are not served: a browser asking for one would get a 404 in its console. */
function stripSourceMap(source: string): string {
  return source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
}
