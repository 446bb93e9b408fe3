import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../src/lib/package-root.ts'
import { waitFor } from './support/ports.ts'

const SCENARIOS = `domain: support
scenarios:
  - id: resend
    title: A parcel sent again
    persona: A patient customer.
    goal: Get parcel 12 sent again.
    messages: ["My parcel 12 never came."]
    reference:
      actions:
        - tool: resend_parcel
          arguments: { parcel: "12" }
      reply: Parcel 12 is on its way again.
`

/** `node test/support/serve-reference-model.ts <files>`, on this Node, its output gathered. */
function serve(files: string[]) {
  const { PORT: _port, SCRIPTED_MODEL_PORT: _own, ...env } = process.env
  const child = spawn(
    process.execPath,
    [join(packageRoot(), 'test/support/serve-reference-model.ts'), ...files],
    { cwd: packageRoot(), env },
  )
  let output = ''
  const gather = (chunk: Buffer) => {
    output += chunk.toString()
  }
  child.stdout.on('data', gather)
  child.stderr.on('data', gather)
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, output: () => output, exited }
}

describe('the reference model server', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-reference-model-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('serves the references of the scenario files it is given until Ctrl-C', async () => {
    const file = join(dir, 'suite.yaml')
    await writeFile(file, SCENARIOS)
    const server = serve([file])
    try {
      const url = await waitFor(
        () => /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(server.output())?.[1],
        'the reference model to listen',
        30_000,
      )
      const openai = new OpenAI({ baseURL: url, apiKey: 'test', maxRetries: 0 })
      const completion = await openai.chat.completions.create({
        model: 'worker',
        messages: [{ role: 'user', content: 'My parcel 12 never came.' }],
        tools: [{ type: 'function', function: { name: 'resend_parcel', parameters: {} } }],
      })
      expect(completion.choices[0]?.message.tool_calls).toMatchObject([
        { function: { name: 'resend_parcel', arguments: '{"parcel":"12"}' } },
      ])
    } finally {
      server.child.kill('SIGINT')
    }
    expect(await server.exited).toBe(0)
  })

  it('refuses a broken scenario file with its line-numbered errors', async () => {
    const file = join(dir, 'broken.yaml')
    await writeFile(file, SCENARIOS.replace('    title: A parcel sent again\n', ''))
    const server = serve([file])
    expect(await server.exited).toBe(2)
    expect(server.output()).toMatch(/line 3: scenarios\.0\.title/)
  })
})
