import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { inProcessAccess } from '../../src/agent/gateway-access.ts'
import type { Worker } from '../../src/agent/worker.ts'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { migrationSources } from '../../src/pack/domain-pack.ts'
import type { Database } from '../../src/store/database.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { testGateway } from '../../test/support/gateway-client.ts'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { pgliteTarget } from '../../test/support/test-databases.ts'
import { collect, ofType, testWorker } from '../../test/support/worker-fixture.ts'
import { tasksPack } from './index.ts'

const ANA: Identity = { sub: 'demo|ana-lima', role: 'customer', scopes: scopesFor('customer') }

describe('the Worker on the tasks pack', () => {
  let db: Database
  let model: ScriptedOpenAiServer
  let worker: Worker
  beforeEach(async () => {
    db = await pgliteTarget.open('empty')
    const migrated = await migrate(db, await loadMigrations(migrationSources(tasksPack)))
    if (migrated.error) throw migrated.error
    await tasksPack.loadDemoData?.(db)
    model = await scriptedModel().start()
    worker = await testWorker(db, model, {
      pack: tasksPack,
      gateway: inProcessAccess(await testGateway(db, { pack: tasksPack }), ANA),
      skills: false,
    })
  })
  afterEach(async () => {
    await worker.close()
    await model.stop()
    await db.close()
  })

  const titles = async () =>
    (
      await db.query<{ title: string }>(
        `SELECT title FROM tasks WHERE user_id = 'demo|ana-lima' ORDER BY number`,
      )
    ).rows.map((r) => r.title)

  it('is given the seed’s persona and rules, and asks before deleting the task it names: rejected, the task stays', async () => {
    model.enqueue(
      reply({ toolCalls: [{ name: 'domain_delete_task', arguments: { task: 'dentist' } }] }),
    )
    const first = await collect(worker.send({ message: 'Delete the dentist task' }))
    const system = JSON.stringify(model.requests[0]?.body)
    expect(system).toContain('You are a friendly task assistant')
    expect(system).toContain('never raw JSON, tool names or internal ids')
    const asked = ofType(first, 'approval_requested')[0]
    expect(asked).toMatchObject({ tool: 'domain_delete_task', arguments: { task: 'dentist' } })
    // The person approves the task the server found, not the word the model used for it.
    expect(asked?.summary?.title).toBe('Delete task 2: Book dentist appointment')
    expect(asked?.summary?.lines).toContainEqual({
      label: 'Undo',
      value: 'none: a deleted task is gone for good',
    })
    expect(first.at(-1)).toMatchObject({ type: 'turn_ended', status: 'paused' })
    expect(await titles()).toContain('Book dentist appointment')

    model.enqueue(reply({ text: 'Alright, I kept "Book dentist appointment" on your list.' }))
    await collect(
      worker.decide({ approvalId: asked?.approvalId ?? '', decision: 'rejected', identity: ANA }),
    )
    expect(await titles()).toEqual([
      'Renew passport',
      'Book dentist appointment',
      'Water the plants',
    ])

    // Approved, it goes.
    model.enqueue(
      reply({ toolCalls: [{ name: 'domain_delete_task', arguments: { task: 'dentist' } }] }),
    )
    const again = await collect(worker.send({ message: 'Delete the dentist task after all' }))
    const second = ofType(again, 'approval_requested')[0]
    model.enqueue(reply({ text: 'Done: "Book dentist appointment" is off your list.' }))
    await collect(
      worker.decide({ approvalId: second?.approvalId ?? '', decision: 'approved', identity: ANA }),
    )
    expect(await titles()).toEqual(['Renew passport', 'Water the plants'])
  })

  it('adds an urgent task as high priority when the model leaves priority out', async () => {
    model.enqueue(
      reply({ toolCalls: [{ name: 'domain_add_task', arguments: { title: 'Fix the bug asap' } }] }),
      reply({ text: "I've added 'Fix the bug asap' to your tasks with high priority!" }),
    )
    const events = await collect(worker.send({ message: 'Add an urgent task: fix the bug asap' }))
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({
      status: 'ok',
      summary: 'Added "Fix the bug asap" with high priority (task 4).',
    })
    const { rows } = await db.query<{ priority: string }>(
      `SELECT priority FROM tasks WHERE title = 'Fix the bug asap'`,
    )
    expect(rows).toEqual([{ priority: 'high' }])
  })
})
