import type { Client } from '@modelcontextprotocol/client'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { REMINDER } from '../../src/gateway/call/answers.ts'
import type { Gateway } from '../../src/gateway/gateway.ts'
import { consentTools, migrationSources } from '../../src/pack/domain-pack.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { TestDatabase } from '../../test/support/test-databases.ts'
import { tasksPack } from './index.ts'

const ANA: Identity = { sub: 'demo|ana-lima', role: 'customer', scopes: scopesFor('customer') }
const BEN: Identity = { sub: 'demo|ben-okoro', role: 'customer', scopes: scopesFor('customer') }

describeEachEraAndDatabase('the tasks pack', (target, era) => {
  let db: TestDatabase
  let gateway: Gateway
  const clients: Client[] = []

  beforeEach(async () => {
    db = await target.open('empty')
    const migrated = await migrate(db, await loadMigrations(migrationSources(tasksPack)))
    if (migrated.error) throw migrated.error
    await tasksPack.loadDemoData?.(db)
    gateway = await testGateway(db, { pack: tasksPack })
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close()
    await db.close()
  })

  /** A signed-in person's session: `tool(name, args)` calls with their handle. */
  async function as(identity: Identity) {
    const client = await connect(gateway, identity, era)
    clients.push(client)
    const session = await begin(client)
    return async (name: string, args: Record<string, unknown> = {}) => {
      const reply = await call(client, name, { session, ...args })
      // What the tool said, without the rules reminder every successful result ends with.
      return { ...reply, text: reply.text.replace(`\n\n${REMINDER}`, '') }
    }
  }

  const auditRows = async (action: string) =>
    (
      await db.query<{ actor: string; target: string; payload: Record<string, unknown> }>(
        `SELECT a.actor, a.target, a.payload FROM audit_log a
         JOIN capability_invocations i ON i.id = a.invocation_id
         WHERE a.action = $1 ORDER BY a.id`,
        [action],
      )
    ).rows

  it('reads the priority from the words as the seed says, unless the person names one', async () => {
    const tool = await as(ANA)
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: 'Fix the login bug, urgent' }, 'high'],
      [{ title: 'Call the bank', description: 'asap please' }, 'high'],
      [{ title: 'Sort the photos when you have time' }, 'low'],
      [{ title: 'Buy groceries' }, 'medium'],
      [{ title: 'Minor cleanup, urgent though' }, 'high'],
      [{ title: 'Plan the party', priority: 'low' }, 'low'],
      [{ title: 'Reply to Tom, not urgent' }, 'low'],
    ]
    for (const [args, priority] of cases) {
      const added = await tool('domain_add_task', args)
      expect(added.isError, added.text).toBe(false)
      expect(added.data.task).toMatchObject({ priority })
    }
    const urgent = await tool('domain_add_task', { title: 'Renew the insurance ASAP' })
    expect(urgent.text).toBe('Added "Renew the insurance ASAP" with high priority (task 11).')
    // Ana's demo list had three tasks: numbers go on from there, hers alone.
    const rows = await auditRows('task_added')
    expect(rows).toHaveLength(8)
    expect(rows[0]).toMatchObject({
      actor: 'gateway:demo|ana-lima',
      target: 'task:4',
      payload: { priority: 'high', priority_from: 'words' },
    })
    expect(rows[5]?.payload).toMatchObject({ priority_from: 'stated' })
    expect(rows[6]?.payload).toMatchObject({ priority: 'low', priority_from: 'words' })
  })

  it('lists all, pending or completed tasks, highest priority first, without ids', async () => {
    const tool = await as(ANA)
    const pending = await tool('domain_list_tasks', { status: 'pending' })
    expect(pending.text).toBe(
      '2 pending tasks:\n1. Renew passport (high)\n2. Book dentist appointment (medium)',
    )
    const done = await tool('domain_list_tasks', { status: 'completed' })
    expect(done.text).toBe('1 completed task:\n3. Water the plants (low, done)')
    const all = await tool('domain_list_tasks')
    expect(all.data.tasks).toHaveLength(3)
    expect(JSON.stringify(all.data)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)
  })

  it('completes by number or by title, once', async () => {
    const tool = await as(ANA)
    expect((await tool('domain_complete_task', { task: 1 })).text).toBe(
      'Marked "Renew passport" as done.',
    )
    expect((await tool('domain_complete_task', { task: 'renew passport' })).text).toBe(
      '"Renew passport" was already done.',
    )
    expect((await tool('domain_complete_task', { task: 'dentist' })).text).toBe(
      'Marked "Book dentist appointment" as done.',
    )
    expect(await auditRows('task_completed')).toHaveLength(2)
    const missing = await tool('domain_complete_task', { task: 'walk the dog' })
    expect(missing).toMatchObject({ isError: true })
    expect(missing.text).toContain('You have no task called "walk the dog".')
  })

  it('updates only the fields given', async () => {
    const tool = await as(ANA)
    await tool('domain_update_task', { task: 2, description: 'Dr. Silva, mornings' })
    const changed = await tool('domain_update_task', { task: 'dentist', priority: 'high' })
    expect(changed.text).toBe('Updated "Book dentist appointment": priority changed.')
    expect(changed.data.task).toEqual({
      number: 2,
      title: 'Book dentist appointment',
      description: 'Dr. Silva, mornings',
      priority: 'high',
      completed: false,
    })
    const nothing = await tool('domain_update_task', { task: 2 })
    expect(nothing.isError).toBe(true)
    expect(nothing.text).toContain('say what to change')
    expect((await auditRows('task_updated')).map((r) => r.payload)).toEqual([
      { changed: ['description'] },
      { changed: ['priority'] },
    ])
  })

  it('deletes, records it, and names deletion as needing approval in the Worker', async () => {
    const tool = await as(ANA)
    expect((await tool('domain_delete_task', { task: 3 })).text).toBe('Deleted "Water the plants".')
    expect((await tool('domain_list_tasks')).data.tasks).toHaveLength(2)
    expect(await auditRows('task_deleted')).toEqual([
      { actor: 'gateway:demo|ana-lima', target: 'task:3', payload: { completed: true } },
    ])
    expect(consentTools(tasksPack)).toEqual(['domain_delete_task'])
  })

  it('keeps each person to their own list: another person’s task is not there at all', async () => {
    const ana = await as(ANA)
    const ben = await as(BEN)
    const bens = await ben('domain_list_tasks')
    expect(bens.text).toBe('1 task:\n1. Send the quarterly report (high)')
    // Ben's task 1 is his own; Ana's "Renew passport" cannot be reached by title or number.
    for (const [name, args] of [
      ['domain_complete_task', { task: 'Renew passport' }],
      ['domain_update_task', { task: 'passport', priority: 'low' }],
      ['domain_delete_task', { task: 'Renew passport' }],
      ['domain_complete_task', { task: 2 }],
    ] as const) {
      const reply = await ben(name, args)
      expect(reply.isError, `${name} ${JSON.stringify(args)}`).toBe(true)
      expect(reply.text).toContain('You have no task')
    }
    expect((await ana('domain_list_tasks', { status: 'pending' })).data.tasks).toHaveLength(2)
    // Identity comes from the token: a user_id argument is refused outright.
    const forged = await ben('domain_add_task', { title: 'x', user_id: 'demo|ana-lima' })
    expect(forged.isError).toBe(true)
    const { rows } = await db.query<{ user_id: string; n: number }>(
      'SELECT user_id, count(*)::int AS n FROM tasks GROUP BY user_id ORDER BY user_id',
    )
    expect(rows).toEqual([
      { user_id: 'demo|ana-lima', n: 3 },
      { user_id: 'demo|ben-okoro', n: 1 },
    ])
  })
})
