import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fte } from '../../../test/support/run-fte.ts'
import { scriptedModel } from '../../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { scriptRefund } from '../../../test/support/staff-story-script.ts'
import { openPglite } from '../../store/pglite-database.ts'

describe('fte inbox and fte approve for requests put to staff', () => {
  let dir: string
  let model: ScriptedOpenAiServer
  let env: Record<string, string>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-inbox-'))
    model = await scriptedModel().start()
    env = {
      FTE_DATA_DIR: join(dir, 'data'),
      SKILLS_USER: 'false',
      LLM_BASE_URL: model.url,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_MAX_RETRIES: '0',
      MCP_STDIO_SUB: 'demo|maya-okafor',
      MCP_STDIO_ROLE: 'customer',
    }
  })
  afterAll(async () => {
    await model.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('prints the request fte ask made, lists it in fte inbox, and decides it with the command as printed', async () => {
    // The story's step 1: a full refund of #4356, over the self-serve limit.
    scriptRefund(model)
    const asked = await fte(['ask', 'Please refund all of order #4356, it arrived broken.'], env)
    expect(asked.code, asked.stderr).toBe(0)
    // Maya says yes first: the gateway asks for her consent itself, and her yes on the Worker's
    // card is the answer. Then the refund, over the self-serve limit, goes to staff.
    expect(asked.stdout).toContain('domain_issue_refund waits for your approval')
    const consent = /npm run fte -- approve ([0-9a-f-]{36})/.exec(asked.stdout)?.[1] as string
    const given = await fte(['approve', consent], env)
    expect(given.code, given.stderr).toBe(0)
    expect(given.stdout).toContain('sent to staff: request')
    const printed = /npm run fte -- approve ([0-9a-f-]{36})/.exec(given.stdout)
    const id = printed?.[1] as string
    expect(id).not.toBe(consent)

    const inbox = await fte(['inbox'], env)
    expect(inbox.code).toBe(0)
    expect(inbox.stdout).toContain('Refund $450.00 on order #4356')
    expect(inbox.stdout).toContain(`request:${id}`)

    const rejectWithoutReason = await fte(['approve', id, '--reject'], env)
    expect(rejectWithoutReason.code).toBe(2)
    expect(rejectWithoutReason.stderr).toContain('--reason')

    const approved = await fte(['approve', id], env)
    expect(approved.code, approved.stderr).toBe(0)
    expect(approved.stdout).toContain('✓ approved by demo|staff-sam')
    expect(approved.stdout).toContain('Refund of $450.00 issued on order #4356')
    expect((await fte(['inbox'], env)).stdout).toContain('The staff inbox is empty')

    // The replay names the customer, the Worker acting for her and the staff member, one way each.
    const conversation = /conversation ([0-9a-f-]{36})/.exec(asked.stderr)?.[1] as string
    const replay = (await fte(['replay', conversation], env)).stdout
    const actors = [...replay.matchAll(/^\d\d:\d\d:\d\d {2}(.+?) {2,}\S/gm)].map((m) => m[1])
    expect(new Set(actors)).toEqual(
      new Set(['Worker for Maya Okafor', 'Maya Okafor (customer)', 'Sam Patel (support staff)']),
    )
    expect(replay).toContain(`↳ put domain_issue_refund to staff (request ${id})`)
    expect(replay).toMatch(
      /Sam Patel \(support staff\) {2}approved the request for domain_issue_refund\n {10}I approved your request/,
    )

    const db = await openPglite({ dataDir: join(dir, 'data') })
    try {
      const { rows } = await db.query(
        `SELECT r.amount_cents, r.requested_by FROM refunds r JOIN orders o ON o.id = r.order_id
         WHERE o.public_id = '4356'`,
      )
      expect(rows).toEqual([{ amount_cents: 45_000, requested_by: 'demo|maya-okafor' }])
      const { rows: decided } = await db.query(
        `SELECT actor, payload->>'for' AS for FROM audit_log WHERE action = 'staff_request_decided'`,
      )
      expect(decided).toEqual([{ actor: 'staff:demo|staff-sam', for: 'demo|maya-okafor' }])
    } finally {
      await db.close()
    }
  })
})
