import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client'
import { SkillsClient } from '@modelcontextprotocol/client/ext/skills'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { begin, call } from '../../../test/support/gateway-client.ts'
import { HeadlessOAuth } from '../../../test/support/headless-oauth.ts'
import { freePort, waitFor } from '../../../test/support/ports.ts'
import { openPglite } from '../../store/pglite-database.ts'
import { runCli } from '../run-cli.ts'

describe('fte serve on a fresh data folder', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-serve-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('migrates, loads the demo data, answers /healthz, and shuts down cleanly', async () => {
    const stderr = new Capture()
    const stdout = new Capture()
    const controller = new AbortController()
    const dataDir = join(dir, 'data')
    const running = runCli(['serve', '--port', '0'], {
      env: { FTE_DATA_DIR: dataDir, LOG_FORMAT: 'json' },
      cwd: dir,
      stdout,
      stderr,
      signal: controller.signal,
    })
    const url = await listening(stdout)
    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok', kind: 'pglite', migrationsApplied: 22 },
    })
    expect(stderr.text).toContain('loaded demo data')
    // A request without a token is told the exact command for this server, whatever its port.
    const refused = await fetch(`${url}/api/me`)
    expect(refused.status).toBe(401)
    const { error_description: hint } = (await refused.json()) as { error_description: string }
    const command = new RegExp(
      `npm run --silent fte -- auth token --sub 'demo\\|maya-okafor' --resource ${url}/mcp --issuer http://127\\.0\\.0\\.1:\\d+`,
    )
    expect(hint).toMatch(command)
    expect(stdout.text).toContain(command.exec(hint)?.[0])

    expect(stderr.text).toContain('embedded documents')

    controller.abort()
    expect(await running).toBe(0)
    expect(stderr.text).toContain('shutting down')

    const db = await openPglite({ dataDir })
    const { rows } = await db.query<{ orders: number; seed_runs: number }>(
      `SELECT (SELECT count(*) FROM orders WHERE public_id = '4429')::int AS orders,
              (SELECT count(*) FROM audit_log WHERE action = 'seed_run')::int AS seed_runs`,
    )
    await db.close()
    expect(rows[0]).toEqual({ orders: 1, seed_runs: 1 })

    // The demo corpus is searchable from the terminal once the server has embedded it.
    const out = new Capture()
    const code = await runCli(
      ['search', 'my refund has not shown up', '--source', 'policy', '-k', '1'],
      {
        env: { FTE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        cwd: dir,
        stdout: out,
        stderr: new Capture(),
      },
    )
    expect(code).toBe(0)
    expect(out.text).toMatch(/^1\. .* policy\n {3}distance \d\.\d{3}/)
  })

  it('fails at once on a port in use, before creating any database', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    const stderr = new Capture()
    const dataDir = join(dir, 'never-created')
    try {
      const code = await runCli(['serve', '--port', String(port)], {
        env: { FTE_DATA_DIR: dataDir },
        cwd: dir,
        stdout: new Capture(),
        stderr,
      })
      expect(code).toBe(1)
      expect(stderr.text).toContain(`Port ${port} on 127.0.0.1 is already in use`)
      expect(existsSync(dataDir)).toBe(false)
    } finally {
      blocker.close()
    }
  })

  it('serves sign-in from a standalone development server it trusts (AUTH_ISSUER)', async () => {
    const [port, devPort] = [await freePort(), await freePort()]
    const env = {
      FTE_DATA_DIR: join(dir, 'shared-issuer'),
      PORT: String(port),
      AUTH_DEV_PORT: String(devPort),
      LOG_LEVEL: 'warn',
    }
    const issuer = `http://127.0.0.1:${devPort}`
    const stop = new AbortController()
    const issuerOut = new Capture()
    const replica = `http://127.0.0.1:${await freePort()}`
    const issuerRun = runCli(
      ['auth', 'dev-server', '--auto', 'demo|maya-okafor', '--resource', `${replica}/mcp`],
      {
        env,
        cwd: dir,
        stdout: issuerOut,
        stderr: new Capture(),
        signal: stop.signal,
      },
    )
    await waitFor(() => (issuerOut.text.includes('Ctrl-C') ? true : undefined), 'the issuer')
    expect(issuerOut.text).toContain(
      `AUTH_ISSUER=${issuer} PORT=${port} npm start (start this first)`,
    )
    // A replica named by either of its URLs gets tokens for both (/mcp and /api).
    expect(issuerOut.text).toContain(`${replica}/mcp, ${replica}.`)
    const serveOut = new Capture()
    const serving = runCli(['serve'], {
      env: { ...env, AUTH_ISSUER: issuer },
      cwd: dir,
      stdout: serveOut,
      stderr: new Capture(),
      signal: stop.signal,
    })
    try {
      await waitFor(() => (serveOut.text.includes('Ctrl-C') ? true : undefined), 'the server')
      expect(serveOut.text).toContain(`Clients sign in at ${issuer}.`)
      const resource = `http://127.0.0.1:${port}/mcp`
      const oauth = new HeadlessOAuth()
      const attempt = new StreamableHTTPClientTransport(new URL(resource), { authProvider: oauth })
      await expect(new Client({ name: 'cli-e2e', version: '1' }).connect(attempt)).rejects.toThrow(
        UnauthorizedError,
      )
      await attempt.finishAuth(oauth.callback ?? new URLSearchParams())
      const client = new Client({ name: 'cli-e2e', version: '1' })
      await client.connect(
        new StreamableHTTPClientTransport(new URL(resource), { authProvider: oauth }),
      )
      const me = await call(client, 'domain_lookup_customer', { session: await begin(client) })
      expect(me.text).toContain('Maya Okafor')
      await client.close()

      // fte auth token mints for this issuer too: it is the development one.
      const out = new Capture()
      const minted = await runCli(['auth', 'token', '--scope', 'read'], {
        env: { ...env, AUTH_ISSUER: issuer },
        cwd: dir,
        stdout: out,
        stderr: new Capture(),
      })
      expect(minted).toBe(0)
      const token = out.text.trim().split('\n').at(-1) ?? ''
      const who = await fetch(`http://127.0.0.1:${port}/api/me`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(await who.json()).toEqual({
        sub: 'demo|maya-okafor',
        role: 'customer',
        scopes: ['read'],
        name: 'Maya Okafor',
      })
    } finally {
      stop.abort()
      expect(await serving).toBe(0)
      expect(await issuerRun).toBe(0)
    }
  })

  it('serves another domain pack with --domain: its tables, demo data, tools and skills only', async () => {
    const stop = new AbortController()
    const stdout = new Capture()
    const serving = runCli(['serve', '--port', '0', '--domain', 'tasks'], {
      env: {
        FTE_DATA_DIR: join(dir, 'tasks'),
        AUTH_DISABLED: '1',
        AUTH_DISABLED_SUB: 'demo|ana-lima',
        LOG_LEVEL: 'warn',
      },
      cwd: dir,
      stdout,
      stderr: new Capture(),
      signal: stop.signal,
    })
    try {
      const url = await listening(stdout)
      const health = (await (await fetch(`${url}/healthz`)).json()) as {
        database: { migrationsApplied: number }
      }
      // The core's sixteen and the pack's one: none of the support pack's.
      expect(health.database.migrationsApplied).toBe(17)
      const client = new Client({ name: 'tasks', version: '1' })
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)))
      const tools = (await client.listTools()).tools.map((t) => t.name)
      expect(tools).toEqual(expect.arrayContaining(['domain_add_task', 'domain_delete_task']))
      expect(tools).not.toContain('domain_lookup_order')
      const session = await begin(client)
      const list = await call(client, 'domain_list_tasks', { session, status: 'pending' })
      expect(list.text).toContain('1. Renew passport (high)')
      const begun = await call(client, 'begin_session', {})
      expect(begun.text).toContain('You are a friendly task assistant')
      const { skills } = await new SkillsClient(client).list()
      expect(skills.map((skill) => skill.frontmatter.name)).toEqual(['plan-my-day'])
      await client.close()
    } finally {
      stop.abort()
      expect(await serving).toBe(0)
    }
  })

  it('AUTH_DISABLED=1: a stand-in user, a warning at start and on every request, loopback only', async () => {
    const dataDir = join(dir, 'no-auth')
    const exposed = new Capture()
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], {
      env: { FTE_DATA_DIR: dataDir, AUTH_DISABLED: '1' },
      cwd: dir,
      stdout: new Capture(),
      stderr: exposed,
    })
    expect(refused).toBe(2)
    expect(exposed.text).toContain('listens on loopback only, not 0.0.0.0')
    expect(exposed.text).toContain('AUTH_DISABLED_ALLOW_NETWORK=1')
    expect(existsSync(dataDir)).toBe(false)

    const stop = new AbortController()
    const stdout = new Capture()
    const stderr = new Capture()
    const serving = runCli(['serve', '--port', '0'], {
      env: { FTE_DATA_DIR: dataDir, AUTH_DISABLED: '1', LOG_FORMAT: 'json', AUTH_DEV_PORT: '0' },
      cwd: dir,
      stdout,
      stderr,
      signal: stop.signal,
    })
    try {
      const url = await listening(stdout)
      expect(stdout.text).toContain(
        'WARNING: AUTH IS DISABLED. No sign-in: every request acts as demo|maya-okafor (customer).',
      )
      expect(stderr.text).toContain('AUTH IS DISABLED (AUTH_DISABLED=1)')
      // No token needed, and none looked at: the official client, with no auth at all.
      const client = new Client({ name: 'no-auth', version: '1' })
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)))
      const me = await call(client, 'domain_lookup_customer', { session: await begin(client) })
      expect(me.text).toContain('Maya Okafor')
      await client.close()
      const who = await fetch(`${url}/api/me`)
      expect(await who.json()).toEqual({
        sub: 'demo|maya-okafor',
        role: 'customer',
        scopes: ['read', 'write', 'refund'],
      })
      // Nowhere to sign in, so no metadata sending clients anywhere.
      expect((await fetch(`${url}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404)
      const requests = stderr.text
        .split('\n')
        .filter((line) => line.includes('"path":'))
        .map((line) => JSON.parse(line) as { msg: string; auth: string; level: number })
      expect(requests.length).toBeGreaterThanOrEqual(4)
      for (const line of requests) {
        expect(line).toMatchObject({ auth: 'DISABLED', level: 40 })
        expect(line.msg).toContain('AUTH IS DISABLED')
      }
    } finally {
      stop.abort()
      expect(await serving).toBe(0)
    }
  })

  it('behind a tunnel (PUBLIC_URL https): names its public address, accepts its host, refuses another', async () => {
    // What claude.ai meets through a tunnel: the server on loopback, requests naming the public host.
    const publicUrl = 'https://fte-demo.trycloudflare.com'
    const issuer = 'https://issuer.example.com/'
    const stop = new AbortController()
    const stdout = new Capture()
    const serving = runCli(['serve', '--port', '0'], {
      env: {
        FTE_DATA_DIR: join(dir, 'tunnel'),
        LOG_FORMAT: 'json',
        PUBLIC_URL: publicUrl,
        AUTH_ISSUER: issuer,
        AUTH_JWKS_URL: 'https://issuer.example.com/.well-known/jwks.json',
        CLEANUP_INTERVAL_MINUTES: '0',
      },
      cwd: dir,
      stdout,
      stderr: new Capture(),
      signal: stop.signal,
    })
    try {
      const url = await listening(stdout)
      const metadata = await viaHost(
        url,
        'fte-demo.trycloudflare.com',
        'GET',
        '/.well-known/oauth-protected-resource/mcp',
      )
      expect(metadata.status).toBe(200)
      expect(JSON.parse(metadata.body)).toMatchObject({
        resource: `${publicUrl}/mcp`,
        authorization_servers: [issuer],
      })
      const challenge = await viaHost(url, 'fte-demo.trycloudflare.com', 'POST', '/mcp')
      expect(challenge.status).toBe(401)
      expect(JSON.parse(challenge.body).error_description).toContain(`sign in at ${issuer}.`)
      expect(challenge.headers['www-authenticate']).toContain(
        `resource_metadata="${publicUrl}/.well-known/oauth-protected-resource/mcp"`,
      )
      const rebound = await viaHost(url, 'attacker.example', 'POST', '/mcp')
      expect(rebound.status).toBe(403)
      // The web UI and the API stand behind the same wall.
      expect((await viaHost(url, 'fte-demo.trycloudflare.com', 'GET', '/')).status).toBe(200)
      expect((await viaHost(url, 'fte-demo.trycloudflare.com', 'GET', '/api/me')).status).toBe(401)
      expect((await viaHost(url, 'attacker.example', 'GET', '/')).status).toBe(403)
      expect((await viaHost(url, 'attacker.example', 'GET', '/api/me')).status).toBe(403)
    } finally {
      stop.abort()
      expect(await serving).toBe(0)
    }
  })
})

/** A request to `url` as if it came through a proxy or tunnel for `host` (fetch cannot set Host). */
function viaHost(
  url: string,
  host: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const body =
      method === 'POST' ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) : ''
    const req = httpRequest(`${url}${path}`, {
      method,
      headers: {
        host,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': Buffer.byteLength(body),
      },
    })
    req.on('response', (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString()
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** The address `fte serve` says it is serving on, once it says so. */
function listening(stdout: Capture): Promise<string> {
  return waitFor(
    () => /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.text)?.[1],
    'the server to listen',
  )
}
