import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fteProcess } from '../../../test/support/fte-subprocess.ts'
import { call, ERAS } from '../../../test/support/gateway-client.ts'
import { serveFte } from '../../../test/support/serve-fte.ts'
import { packageRoot } from '../../lib/package-root.ts'

describe.each(ERAS)(
  'fte mcp (stdio) with the official SDK client, $era era',
  ({ era, revision, options }) => {
    let dir: string
    let client: Client
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fte-mcp-'))
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [join(packageRoot(), 'src', 'cli', 'main.ts'), 'mcp'],
        cwd: dir,
        env: { FTE_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
        stderr: 'pipe',
      })
      client = new Client({ name: 'stdio-test', version: '1.0.0' }, options)
      await client.connect(transport)
    })
    afterAll(async () => {
      await client?.close()
      await rm(dir, { recursive: true, force: true })
    })

    it('lists the tools and answers a session of calls as the local operator', async () => {
      expect(client.getProtocolEra()).toBe(era)
      expect(client.getNegotiatedProtocolVersion()).toBe(revision)
      expect(client.getInstructions()).toContain('Call begin_session first')
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toContain('domain_issue_refund')
      const begun = await call(client, 'begin_session')
      expect(begun.isError).toBe(false)
      expect(begun.data.user).toEqual({ id: 'local|operator', role: 'staff' })
      const session = String(begun.data.session_handle)
      const order = await call(client, 'domain_lookup_order', { session, order: '#4429' })
      expect(order.isError).toBe(false)
      expect(order.text).toMatch(/^Order #4429: \$\d+\.\d\d, \w+, placed \d{4}-\d\d-\d\d; refund/)
      const refund = await call(client, 'domain_issue_refund', {
        session,
        order: '4429',
        amount_cents: 100,
        reason: 'Trying to pay twice',
        idempotency_key: 'stdio-test-0001',
      })
      expect(refund.data.status).toBe('blocked')
    })
  },
)

describe('fte mcp, as a process', () => {
  it('exits 0 by itself once its client closes stdin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fte-mcp-exit-'))
    try {
      const child = spawn(process.execPath, [join(packageRoot(), 'src', 'cli', 'main.ts'), 'mcp'], {
        cwd: dir,
        env: { FTE_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
        stdio: ['pipe', 'pipe', 'ignore'],
      })
      const exited = once(child, 'exit')
      const answered = once(child.stdout, 'data')
      child.stdin.write(
        `${JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'raw', version: '1' },
          },
        })}\n`,
      )
      expect(String((await answered)[0])).toContain('"protocolVersion":"2025-11-25"')
      child.stdin.end()
      expect(await exited).toEqual([0, null])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it("is the Worker's gateway over stdio, in the newest revision", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fte-mcp-worker-'))
    try {
      const env = {
        FTE_DATA_DIR: join(dir, 'data'),
        LOG_LEVEL: 'warn',
        PATH: process.env.PATH ?? '',
      }
      expect((await fteProcess(['migrate'], { env, cwd: dir })).code).toBe(0)
      const doctor = await fteProcess(['doctor', '--gateway', 'stdio'], { env, cwd: dir })
      expect(doctor.stdout).toMatch(
        /✓ gateway: stdio \(fte mcp\) \(MCP 2026-07-28\): \d+ tools; the system of record is reachable/,
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('fte mcp beside fte serve on the same data folder', () => {
  it('works through the server while it runs, and carries on by itself once it stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fte-mcp-beside-'))
    // `npm start` first, as people run it; then Claude Code starts `fte mcp` on the same folder.
    const served = await serveFte(dir, {})
    const client = new Client({ name: 'stdio-beside', version: '1.0.0' })
    try {
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [join(packageRoot(), 'src', 'cli', 'main.ts'), 'mcp'],
          cwd: dir,
          env: { FTE_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
          stderr: 'pipe',
        }),
      )
      expect((await call(client, 'health')).data).toEqual({ database: 'reachable' })
      const session = String((await call(client, 'begin_session')).data.session_handle)
      const refund = await call(client, 'domain_issue_refund', {
        session,
        order: '4429',
        amount_cents: 100,
        reason: 'Beside the server',
        idempotency_key: 'stdio-beside-0001',
      })
      expect(refund.data.status).toBe('blocked')
      // The server sees what fte mcp did: its audit trail is the same one.
      const seen = await fetch(`${served.url}/healthz`)
      expect(seen.status).toBe(200)
      await served.stop()
      // The server is gone: fte mcp opens the folder itself and carries on.
      let reply = await call(client, 'health')
      for (let i = 0; i < 40 && reply.isError; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250))
        reply = await call(client, 'health')
      }
      expect(reply.data).toEqual({ database: 'reachable' })
      const again = await call(client, 'domain_lookup_order', { session, order: '#4429' })
      expect(again.isError).toBe(false)
    } finally {
      await client.close()
      await served.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('the shipped client configurations start the gateway', () => {
  async function handshake(command: string, args: string[]): Promise<string[]> {
    const dir = await mkdtemp(join(tmpdir(), 'fte-mcp-config-'))
    const client = new Client({ name: 'config-test', version: '1.0.0' })
    try {
      await client.connect(
        new StdioClientTransport({
          command,
          args,
          cwd: packageRoot(),
          env: { ...process.env, FTE_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' } as Record<
            string,
            string
          >,
          stderr: 'pipe',
        }),
      )
      const reply = await call(client, 'health')
      expect(reply.data).toEqual({ database: 'reachable' })
      return (await client.listTools()).tools.map((t) => t.name)
    } finally {
      await client.close()
      await rm(dir, { recursive: true, force: true })
    }
  }

  it('.mcp.json (Claude Code)', async () => {
    const config = JSON.parse(await readFile(join(packageRoot(), '.mcp.json'), 'utf8')) as {
      mcpServers: Record<string, { command: string; args: string[] }>
    }
    const server = config.mcpServers['digital-fte']
    if (server === undefined) throw new Error('.mcp.json has no digital-fte server')
    expect(await handshake(server.command, server.args)).toContain('begin_session')
  })

  it('opencode.json (OpenCode)', async () => {
    const config = JSON.parse(await readFile(join(packageRoot(), 'opencode.json'), 'utf8')) as {
      mcp: Record<string, { type: string; command: string[] }>
    }
    const server = config.mcp['digital-fte']
    if (server === undefined) throw new Error('opencode.json has no digital-fte server')
    expect(server.type).toBe('local')
    const [command = '', ...args] = server.command
    expect(await handshake(command, args)).toContain('begin_session')
  })
})

describe('fte mcp --domain', () => {
  it('serves the pack it names: its tools and the signed-in person’s own records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fte-mcp-tasks-'))
    const client = new Client({ name: 'stdio-tasks', version: '1.0.0' })
    try {
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [join(packageRoot(), 'src', 'cli', 'main.ts'), 'mcp', '--domain', 'tasks'],
          cwd: dir,
          env: {
            FTE_DATA_DIR: join(dir, 'data'),
            LOG_LEVEL: 'warn',
            MCP_STDIO_SUB: 'demo|ben-okoro',
            MCP_STDIO_ROLE: 'customer',
            PATH: process.env.PATH ?? '',
          },
          stderr: 'pipe',
        }),
      )
      const names = (await client.listTools()).tools.map((t) => t.name)
      expect(names).toContain('domain_add_task')
      expect(names).not.toContain('domain_issue_refund')
      const session = String((await call(client, 'begin_session')).data.session_handle)
      const listed = await call(client, 'domain_list_tasks', { session })
      expect(listed.text).toMatch(/^1 task:\n1\. Send the quarterly report \(high\)/)
    } finally {
      await client.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
