import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Context, Hono } from 'hono'
import { etag } from 'hono/etag'
import { packageRoot } from '../../lib/package-root.ts'
import { readStaticFiles, staticResponse } from './static-files.ts'

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

/**
 * The packages the page imports, served from the installed copies: no build step, no CDN. Each is
 * served whole from the folder of its entry (subfolders too: Chart.js's entry imports its
 * `chunks/`), and named in the import map by its bare specifier.
 */
const VENDORED: Array<{ name: string; specifier: string; entry: string }> = [
  { name: 'oauth4webapi', specifier: 'oauth4webapi', entry: 'index.js' },
  { name: 'eventsource-parser', specifier: 'eventsource-parser/stream', entry: 'stream.js' },
  { name: 'chart.js', specifier: 'chart.js', entry: 'chart.js' },
  // Chart.js imports it by its bare name.
  { name: '@kurkle/color', specifier: '@kurkle/color', entry: 'color.esm.js' },
]

const HTML = 'text/html; charset=utf-8'

/**
 * The web UI: `/` and its files under `/app/` (subfolders included), the packages it imports under
 * `/vendor/`, and `/app/config.json` (how to sign in). Every file is read and compressed once,
 * here; each page response carries a content security policy that allows scripts from this server
 * only and connections to this server and the issuer only.
 */
export function webUi(options: WebUiOptions): Hono {
  const publicDir = join(packageRoot(), 'src', 'http', 'web', 'public')
  const files = readStaticFiles(publicDir, '/app/', { only: (name) => name !== 'index.html' })
  const imports: Record<string, string> = {}
  for (const { name, specifier, entry } of VENDORED) {
    const dir = dirname(fileURLToPath(import.meta.resolve(specifier)))
    const vendored = readStaticFiles(dir, `/vendor/${name}/`, {
      // The page imports ES modules: the script-tag bundles beside them (`.umd.js`, `.min.js`)
      // would only cost memory.
      only: (file) => file.endsWith('.js') && !/\.(umd|min)\.js$/.test(file),
      transform: stripSourceMap,
    })
    for (const [path, file] of vendored) files.set(path, file)
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
  app.get('/app/*', serve)
  app.get('/vendor/*', serve)

  function serve(c: Context) {
    const file = files.get(c.req.path)
    if (file === undefined) return c.notFound()
    return staticResponse(file, c.req.header('accept-encoding'), {
      ...security,
      'cache-control': 'no-cache',
    })
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
