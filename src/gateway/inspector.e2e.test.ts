import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { ProtocolEra } from '@modelcontextprotocol/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePack } from '../../test/fixture-pack/index.ts'
import { ADA } from '../../test/fixture-pack/people.ts'
import { Capture } from '../../test/support/capture.ts'
import { ERAS } from '../../test/support/gateway-client.ts'
import { type GatewayOverHttp, serveGatewayOverHttp } from '../../test/support/gateway-http.ts'
import { browseSignIn } from '../../test/support/headless-oauth.ts'
import { freePort, waitFor } from '../../test/support/ports.ts'
import { issueDevToken } from '../auth/dev-token.ts'
import { runCli } from '../cli/run-cli.ts'
import { packageRoot } from '../lib/package-root.ts'
import { migrationSources } from '../pack/domain-pack.ts'
import { loadMigrations } from '../store/migration-files.ts'
import { migrate } from '../store/migrator.ts'
import { openPglite } from '../store/pglite-database.ts'

const run = promisify(execFile)
const INSPECTOR = join(
  packageRoot(),
  'node_modules',
  '@modelcontextprotocol',
  'inspector',
  'clients',
  'launcher',
  'build',
  'index.js',
)

/** The MCP Inspector's CLI (a client none of us wrote); returns its parsed JSON answer. */
async function inspector(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [INSPECTOR, '--cli', ...args], {
    cwd: packageRoot(),
    timeout: 60_000,
  })
  return JSON.parse(stdout) as Record<string, unknown>
}

/**
 * The Inspector's switch for the era its client speaks: `legacy` is a plain `initialize`, `modern`
 * pins 2026-07-28 and fails unless the server offers it, so an answer proves the era.
 */
const eraOf = (era: ProtocolEra) => ['--protocol-era', era]

describe('the MCP Inspector CLI', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-inspector-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it.each(ERAS)('lists and calls tools over stdio with fte mcp ($era)', async ({ era }) => {
    const env = [...eraOf(era), '-e', `FTE_DATA_DIR=${join(dir, 'stdio')}`, '-e', 'LOG_LEVEL=warn']
    const server = [process.execPath, join(packageRoot(), 'src', 'cli', 'main.ts'), 'mcp']
    const listed = await inspector([...env, ...server, '--method', 'tools/list'])
    const names = (listed.tools as Array<{ name: string }>).map((t) => t.name)
    expect(names).toContain('begin_session')
    expect(names.some((name) => name.startsWith('domain_'))).toBe(true)
    const health = await inspector([
      ...env,
      ...server,
      '--method',
      'tools/call',
      '--tool-name',
      'health',
    ])
    expect(health.structuredContent).toEqual({ database: 'reachable' })
    // A tool answering isError makes the Inspector exit non-zero (5), printing the result.
    const refused = await inspector([
      ...env,
      ...server,
      '--method',
      'tools/call',
      '--tool-name',
      'user_get_profile',
    ]).catch((error: { code?: number; stdout?: string }) => ({
      exit: error.code,
      ...(JSON.parse(error.stdout ?? '{}') as Record<string, unknown>),
    }))
    expect(refused).toMatchObject({ exit: 5, isError: true })
    expect(JSON.stringify(refused)).toContain('Call begin_session first')
  })

  it.each(ERAS)('lists and calls tools over HTTP with a bearer token ($era)', async ({ era }) => {
    const db = await openPglite()
    let served: GatewayOverHttp | undefined
    try {
      const migrated = await migrate(db, await loadMigrations(migrationSources(fixturePack)))
      if (migrated.error) throw migrated.error
      await fixturePack.loadDemoData?.(db)
      served = await serveGatewayOverHttp(db, join(dir, 'http'), {
        pack: fixturePack,
        person: ADA.sub,
      })
      const resource = served.resource
      const token = await served.token()
      // As the README has it: a token in hand, and no sign-in of the Inspector's own.
      const http = [resource, '--transport', 'http', '--stored-auth-only', ...eraOf(era)]
      const bearer = ['--header', `Authorization: Bearer ${token}`]
      const listed = await inspector([...http, ...bearer, '--method', 'tools/list'])
      expect((listed.tools as unknown[]).length).toBe(10)
      const begun = await inspector([
        ...http,
        ...bearer,
        '--method',
        'tools/call',
        '--tool-name',
        'begin_session',
      ])
      expect((begun.structuredContent as { user: unknown }).user).toEqual({
        id: ADA.sub,
        role: 'customer',
      })
      // A token of the same key for another issuer, as `auth token` mints for another port: the
      // Inspector shows the server's reason instead of starting a sign-in of its own.
      const foreign = await issueDevToken(
        { ...served.issuer, url: 'http://127.0.0.1:2' },
        { sub: ADA.sub, role: 'customer', ttlSeconds: 600, audience: resource, scopes: ADA.scopes },
      )
      const other = ['--header', `Authorization: Bearer ${foreign}`]
      const refused = await inspector([...http, ...other, '--method', 'tools/list']).then(
        () => '',
        (error: { stderr?: string; stdout?: string }) => `${error.stdout}${error.stderr}`,
      )
      // A pinned 2026 client reports its refused server/discover probe without the server's reason.
      expect(refused).toContain(
        era === 'legacy' ? 'comes from another issuer' : 'requires authorization (HTTP 401)',
      )
    } finally {
      await served?.close()
      await db.close()
    }
  })

  it.each(ERAS)(
    'signs in through OAuth against the development server of fte serve, as a person would ($era)',
    async ({ era }) => {
      const [port, devPort, callbackPort] = [await freePort(), await freePort(), await freePort()]
      const stop = new AbortController()
      const out = new Capture()
      const serving = runCli(['serve'], {
        env: {
          FTE_DATA_DIR: join(dir, 'oauth'),
          PORT: String(port),
          AUTH_DEV_PORT: String(devPort),
          LOG_LEVEL: 'warn',
        },
        cwd: dir,
        stdout: out,
        stderr: new Capture(),
        signal: stop.signal,
      })
      try {
        await waitFor(() => (out.text.includes('Ctrl-C') ? true : undefined), 'fte serve')
        const callbackUrl = `http://127.0.0.1:${callbackPort}/oauth/callback`
        // No TTY here: MCP_AUTO_OPEN_ENABLED has it print the sign-in URL and try a browser, which
        // BROWSER=true turns into a no-op; this test is the browser.
        const child = spawn(
          process.execPath,
          [
            INSPECTOR,
            '--cli',
            `http://127.0.0.1:${port}/mcp`,
            ...eraOf(era),
            '--callback-url',
            callbackUrl,
            '--method',
            'tools/call',
            '--tool-name',
            'begin_session',
          ],
          {
            cwd: dir,
            env: {
              ...process.env,
              HOME: join(dir, 'inspector-home'),
              MCP_AUTO_OPEN_ENABLED: 'true',
              BROWSER: 'true',
              MCP_INSPECTOR_SECRET_STORE: 'memory',
            },
          },
        )
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
        })
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString()
        })
        const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
        const signInUrl = await waitFor(
          () => /Please navigate to: (\S+)/.exec(stderr)?.[1],
          'the Inspector to ask for a sign-in',
          30_000,
        )
        const asked = new URL(signInUrl)
        expect(asked.origin).toBe(`http://127.0.0.1:${devPort}`)
        expect(asked.searchParams.get('code_challenge_method')).toBe('S256')
        expect(asked.searchParams.get('resource')).toBe(`http://127.0.0.1:${port}/mcp`)
        // The person picks Maya on the sign-in page; the browser lands on the Inspector's listener.
        const { callback } = await browseSignIn(asked, callbackUrl, 'demo|maya-okafor')
        expect((await fetch(callback)).status).toBe(200)
        expect(await exited).toBe(0)
        const begun = JSON.parse(stdout) as { structuredContent: { user: unknown } }
        expect(begun.structuredContent.user).toEqual({ id: 'demo|maya-okafor', role: 'customer' })
      } finally {
        stop.abort()
        await serving
      }
    },
  )
})
