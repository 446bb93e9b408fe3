import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../src/lib/package-root.ts'
import { freePort, waitFor } from './support/ports.ts'
import { fte } from './support/run-fte.ts'
import { NO_SCRIPT } from './support/scripted-demo-model.ts'
import { serveFte } from './support/serve-fte.ts'
import { parseSse } from './support/sse.ts'
import { QUESTION } from './support/support-scenario.ts'

const root = packageRoot()

/** `npm run scripted-model`: the command package.json gives it, on this Node. */
function scriptedModelCommand(): string[] {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts
  const [node, ...args] = (scripts['scripted-model'] as string).split(' ')
  expect(node).toBe('node')
  return args
}

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

function startModel(env: Record<string, string>): Started {
  const { PORT: _port, SCRIPTED_MODEL_PORT: _own, ...inherited } = process.env
  const child = spawn(process.execPath, scriptedModelCommand(), {
    cwd: root,
    env: { ...inherited, ...env },
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, output: () => output, exited }
}

/** The URL it prints once it listens. */
function urlOf(model: Started): Promise<string> {
  return waitFor(
    () => /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(model.output())?.[1],
    'the scripted model to listen',
    30_000,
  )
}

async function stop(model: Started): Promise<void> {
  model.child.kill('SIGINT')
  expect(await model.exited).toBe(0)
}

describe('the no-provider demo: npm run scripted-model and the README walkthrough', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-demo-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it("listens on SCRIPTED_MODEL_PORT, never on the server's PORT", async () => {
    // The server's port, taken, as it is while `npm start` runs in a shell that exported PORT.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const serverPort = String((server.address() as { port: number }).port)
    try {
      const own = await freePort()
      const chosen = startModel({ PORT: serverPort, SCRIPTED_MODEL_PORT: String(own) })
      const url = await urlOf(chosen)
      expect(new URL(url).port).toBe(String(own))
      expect((await fetch(`${url}/models`)).status).toBe(200)
      await stop(chosen)

      const free = startModel({ PORT: serverPort })
      const freeUrl = await urlOf(free)
      expect(new URL(freeUrl).port).not.toBe(serverPort)
      expect((await fetch(`${freeUrl}/models`)).status).toBe(200)
      await stop(free)

      const wrong = startModel({ SCRIPTED_MODEL_PORT: 'eighty' })
      expect(await wrong.exited).toBe(2)
      expect(wrong.output()).toContain('SCRIPTED_MODEL_PORT must be a port number')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it("names in the server's start-up banner the customer of the README's scenario, whom the scripted model plays", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const customer =
      /demo\s+customer\s+of\s+the\s+#4429\s+scenario,\s+set\s+`MCP_STDIO_SUB='([^']+)'/.exec(
        readme,
      )?.[1]
    expect(customer).toBe('demo|maya-okafor')

    const model = startModel({})
    const url = await urlOf(model)
    expect(model.output()).toContain(`MCP_STDIO_SUB='${customer}'`)
    const server = await serveFte(join(dir, 'served'), {
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: url,
      LLM_MODEL: 'gpt-4o-mini',
    })
    try {
      const banner = server.stdout.text
      expect(banner).toContain('the Worker runs on compatible gpt-4o-mini')
      const token =
        /npm run --silent fte -- auth token --sub '([^']+)' --resource (\S+) --issuer (\S+)/.exec(
          banner,
        )
      expect(token?.[1]).toBe(customer)

      // The banner's command gives a token for that customer; with it, the web UI's chat plays
      // the scenario, and a message outside it gets what to try.
      const minted = await fte(
        [
          'auth',
          'token',
          '--sub',
          customer as string,
          '--resource',
          token?.[2] as string,
          '--issuer',
          token?.[3] as string,
        ],
        { FTE_DATA_DIR: join(dir, 'served', 'data') },
      )
      expect(minted.code).toBe(0)
      const chat = async (message: string) => {
        const response = await fetch(`${server.url}/api/chat`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${minted.stdout.trim()}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ message }),
        })
        expect(response.status).toBe(200)
        return parseSse(await response.text())
          .filter((e) => e.data.startsWith('{'))
          .map((e) => JSON.parse(e.data) as { type: string; tool?: string; text?: string })
      }
      const scenario = await chat(QUESTION)
      expect(scenario.find((e) => e.type === 'approval_requested')).toMatchObject({
        tool: 'domain_issue_refund',
      })
      const other = await chat('What are your opening hours?')
      expect(other.find((e) => e.type === 'message')?.text).toBe(NO_SCRIPT)
    } finally {
      await server.stop()
      await stop(model)
    }
  })
})
