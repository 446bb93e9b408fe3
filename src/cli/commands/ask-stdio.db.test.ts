import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { reply, scriptedModel } from '../../../test/support/scripted-model.ts'
import { describeEachDatabase } from '../../../test/support/test-databases.ts'
import { openEmbedded } from '../../store/embedded.ts'
import { runCli } from '../run-cli.ts'

describeEachDatabase('fte ask over the stdio gateway', (target) => {
  // On the embedded database the `fte mcp` subprocess reaches it through the socket of the `fte
  // ask` that holds the folder.
  it('runs a turn through an fte mcp subprocess on the same database', async () => {
    const embedded =
      target.name === 'postgres' ? undefined : await mkdtemp(join(tmpdir(), 'fte-ask-stdio-'))
    const db = embedded === undefined ? await target.open('support') : undefined
    const model = await scriptedModel().start()
    try {
      model.enqueue(
        reply({ toolCalls: [{ name: 'domain_lookup_order', arguments: { order: '4429' } }] }),
        reply({ text: 'Found order #4429.' }),
      )
      const stdout = new Capture()
      const stderr = new Capture()
      const code = await runCli(['ask', 'where is #4429?', '--gateway', 'stdio'], {
        env: {
          LOG_LEVEL: 'warn',
          ...(db?.url === undefined ? {} : { DATABASE_URL: db.url }),
          ...(embedded === undefined ? {} : { FTE_DATA_DIR: join(embedded, 'data') }),
          SKILLS_USER: 'false',
          LLM_BASE_URL: model.url,
          LLM_MODEL: 'gpt-4o-mini',
        },
        cwd: process.cwd(),
        stdout,
        stderr,
      })
      expect(stderr.text).not.toContain('fte:')
      expect(code).toBe(0)
      expect(stdout.text).toContain('→ domain_lookup_order {"order":"4429"}')
      expect(stdout.text).toContain('Found order #4429.')
      const reader = db ?? (await openEmbedded({ dataDir: join(embedded as string, 'data') }))
      const { rows } = await reader.query<{ actor: string }>(
        `SELECT actor FROM capability_invocations WHERE capability = 'mcp:domain_lookup_order'
           AND actor NOT LIKE '%(demo data)' ORDER BY actor`,
      )
      // The gateway's record and the Worker's, both as the local operator.
      expect(rows.map((r) => r.actor)).toEqual(['gateway:local|operator', 'worker:local|operator'])
      if (db === undefined) await reader.close()
    } finally {
      await model.stop()
      await db?.close()
      if (embedded !== undefined) await rm(embedded, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('fte ask --gateway', () => {
  it('refuses a gateway that is neither a mode nor a URL', async () => {
    const stderr = new Capture()
    const code = await runCli(['ask', 'hi', '--gateway', 'carrier-pigeon'], {
      env: {
        LLM_BASE_URL: 'http://127.0.0.1:9/v1',
        LLM_MODEL: 'm',
        FTE_DATA_DIR: '/nonexistent/x',
      },
      cwd: process.cwd(),
      stdout: new Capture(),
      stderr,
    })
    expect(code).toBe(2)
    expect(stderr.text).toContain('--gateway must be auto, stdio, in-process')
  })
})
