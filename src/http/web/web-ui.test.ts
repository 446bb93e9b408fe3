import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../../lib/package-root.ts'
import { webUi } from './web-ui.ts'

/** The UI as `createApp` mounts it, with the app's JSON 404 for anything else. */
function mounted(options: Parameters<typeof webUi>[0]) {
  const app = new Hono()
  app.route('/', webUi(options))
  app.notFound((c) => c.json({ error: 'not_found' }, 404))
  return app
}

const oauth = mounted({ signIn: { issuer: 'http://127.0.0.1:3001', clientId: 'fte-web' } })

describe('the web UI routes', () => {
  it('serves the page with an import map the policy allows by its hash, and nothing else inline', async () => {
    const response = await oauth.request('/')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const page = await response.text()
    const map = /<script type="importmap">(.*?)<\/script>/.exec(page)?.[1] ?? ''
    expect(JSON.parse(map)).toEqual({
      imports: {
        oauth4webapi: '/vendor/oauth4webapi/index.js',
        'eventsource-parser/stream': '/vendor/eventsource-parser/stream.js',
        'chart.js': '/vendor/chart.js/chart.js',
        '@kurkle/color': '/vendor/@kurkle/color/color.esm.js',
      },
    })
    const policy = response.headers.get('content-security-policy') ?? ''
    const hash = createHash('sha256').update(map).digest('base64')
    expect(policy).toContain(`script-src 'self' 'sha256-${hash}'`)
    expect(policy).toContain("default-src 'none'")
    // The page talks to this server and to the issuer that signs its users in, nowhere else.
    expect(policy).toContain("connect-src 'self' http://127.0.0.1:3001;")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('tells the page how to sign in: the client id, or that sign-in is disabled', async () => {
    expect(await (await oauth.request('/app/config.json')).json()).toEqual({
      signIn: 'oauth',
      clientId: 'fte-web',
      domain: null,
    })
    const tasks = mounted({
      signIn: 'disabled',
      domain: { name: 'tasks', description: 'A task list', examplePrompt: 'Add a task' },
    })
    expect(await (await tasks.request('/app/config.json')).json()).toEqual({
      signIn: 'disabled',
      domain: { name: 'tasks', description: 'A task list', examplePrompt: 'Add a task' },
    })
    const external = mounted({ signIn: { issuer: 'https://id.example', clientId: undefined } })
    expect(await (await external.request('/app/config.json')).json()).toEqual({
      signIn: 'oauth',
      clientId: null,
      domain: null,
    })
    const open = mounted({ signIn: 'disabled' })
    expect(await (await open.request('/app/config.json')).json()).toEqual({
      signIn: 'disabled',
      domain: null,
    })
    expect((await open.request('/')).headers.get('content-security-policy')).toContain(
      "connect-src 'self';",
    )
  })

  it('serves its scripts and the vendored packages as JavaScript, with validators', async () => {
    for (const path of [
      '/app/app.js',
      '/app/sign-in.js',
      '/vendor/oauth4webapi/index.js',
      '/vendor/eventsource-parser/stream.js',
      // Imported by stream.js, relative to it.
      '/vendor/eventsource-parser/parse.js',
      '/vendor/chart.js/chart.js',
      // Imported by chart.js from a subfolder, and the colour package by its bare name.
      '/vendor/chart.js/chunks/helpers.dataset.js',
      '/vendor/@kurkle/color/color.esm.js',
    ]) {
      const response = await oauth.request(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(response.headers.get('etag')).toMatch(/^"/)
      expect(await response.text()).not.toContain('sourceMappingURL')
    }
    // The role modules and their styles, in subfolders.
    for (const path of ['/app/customer/chat.js', '/app/staff/staff-app.js']) {
      const response = await oauth.request(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    }
    expect((await oauth.request('/app/staff/staff.css')).status).toBe(200)
    const css = await oauth.request('/app/style.css')
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    const again = await oauth.request('/app/app.js', {
      headers: { 'if-none-match': (await oauth.request('/app/app.js')).headers.get('etag') ?? '' },
    })
    expect(again.status).toBe(304)
  })

  it('sends its larger files gzipped to a browser that accepts it, each encoding with its own validator', async () => {
    const plain = await oauth.request('/vendor/chart.js/chart.js')
    const source = await plain.text()
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('vary')).toBe('accept-encoding')
    const zipped = await oauth.request('/vendor/chart.js/chart.js', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    })
    expect(zipped.headers.get('content-encoding')).toBe('gzip')
    expect(zipped.headers.get('vary')).toBe('accept-encoding')
    const bytes = new Uint8Array(await zipped.arrayBuffer())
    // A third of the size or less: the chart library is most of what a phone downloads.
    expect(bytes.byteLength).toBeLessThan(source.length / 3)
    expect(gunzipSync(bytes).toString('utf8')).toBe(source)
    expect(zipped.headers.get('etag')).not.toBe(plain.headers.get('etag'))
    const again = await oauth.request('/vendor/chart.js/chart.js', {
      headers: {
        'accept-encoding': 'gzip',
        'if-none-match': zipped.headers.get('etag') ?? '',
      },
    })
    expect(again.status).toBe(304)
    // Refused by q=0, or not asked for: sent as it is.
    for (const accept of ['gzip;q=0, br', 'identity']) {
      const response = await oauth.request('/app/app.js', {
        headers: { 'accept-encoding': accept },
      })
      expect(response.headers.get('content-encoding'), accept).toBeNull()
    }
  })

  it('writes no markup the policy would refuse: no style attributes, no markup from strings', async () => {
    const dir = join(packageRoot(), 'src', 'http', 'web', 'public')
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.(html|js)$/.test(f),
    )
    expect(files).toContain(join('customer', 'chat.js'))
    for (const file of files) {
      const source = readFileSync(join(dir, file), 'utf8')
      // style="…" in HTML or set as an attribute is refused by style-src 'self'; element.style
      // from a script is not (and text from the server never becomes markup).
      expect(source, file).not.toMatch(
        /\sstyle=|setAttribute\(\s*'style'|innerHTML|insertAdjacentHTML/,
      )
    }
  })

  it('answers anything else under its folders with the JSON 404, the project files included', async () => {
    for (const path of [
      '/app/missing.js',
      '/app/..%2F..%2F..%2Fpackage.json',
      '/vendor/oauth4webapi/../../package.json',
      '/vendor/pg/index.js',
      '/vendor/oauth4webapi/index.d.ts',
      '/vendor/chart.js/chart.js.map',
      '/vendor/chart.js/chart.umd.min.js',
      '/vendor/chart.js/types/index.d.ts',
      '/vendor/chart.js/../package.json',
      '/vendor/@kurkle/color/../package.json',
      // The page itself is served at / only, with its import map.
      '/app/index.html',
    ]) {
      const response = await oauth.request(path)
      expect(response.status, path).toBe(404)
      expect(await response.json()).toEqual({ error: 'not_found' })
    }
  })
})
