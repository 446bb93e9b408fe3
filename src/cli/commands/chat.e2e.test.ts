import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { scriptedDemoModel } from '../../../test/support/scripted-demo-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { QUESTION } from '../../../test/support/support-scenario.ts'
import { openPglite } from '../../store/pglite-database.ts'
import { runCli } from '../run-cli.ts'

describe('fte chat, left at an approval', () => {
  let dir: string
  let model: ScriptedOpenAiServer
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-chat-'))
    model = await scriptedDemoModel().start()
  })
  afterAll(async () => {
    await model.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('leaves the call undecided on /exit or Ctrl-D, at the question or at the reason: no decision in the database', async () => {
    const dataDir = join(dir, 'data')
    const printed: string[] = []
    // /exit at "Approve …?", /exit at "Reason for rejecting", and the input ending there (Ctrl-D).
    for (const typed of [`${QUESTION}\n/exit\n`, `${QUESTION}\nn\n/exit\n`, `${QUESTION}\n`]) {
      const stdout = new Capture()
      const stderr = new Capture()
      const code = await runCli(['chat'], {
        env: {
          LOG_LEVEL: 'warn',
          FTE_DATA_DIR: dataDir,
          SKILLS_USER: 'false',
          LLM_BASE_URL: model.url,
          LLM_MODEL: 'gpt-4o-mini',
          LLM_MAX_RETRIES: '0',
          MCP_STDIO_SUB: 'demo|maya-okafor',
          MCP_STDIO_ROLE: 'customer',
        },
        cwd: tmpdir(),
        stdout,
        stderr,
        stdin: Readable.from([typed]),
      })
      expect(stderr.text).not.toContain('fte:')
      expect(code).toBe(0)
      expect(stdout.text).toContain('Approve domain_issue_refund? [y/N]')
      expect(stdout.text).not.toMatch(/✓ approved|✗ rejected/)
      const id =
        /Left without deciding; still waiting:\n {2}domain_issue_refund: npm run fte -- approve ([0-9a-f-]{36}) /.exec(
          stdout.text,
        )?.[1]
      expect(id).toBeDefined()
      printed.push(id as string)
    }

    const db = await openPglite({ dataDir })
    try {
      const { rows: approvals } = await db.query<{ id: string; decision: string | null }>(
        'SELECT id, decision, decided_by, decided_at, reason FROM approvals ORDER BY created_at',
      )
      expect(approvals).toEqual(
        printed.map((id) => ({
          id,
          decision: null,
          decided_by: null,
          decided_at: null,
          reason: null,
        })),
      )
      const { rows: decided } = await db.query(
        `SELECT id FROM audit_log WHERE action = 'approval_decided'`,
      )
      expect(decided).toEqual([])
    } finally {
      await db.close()
    }
  })
})
