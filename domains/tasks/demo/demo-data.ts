import type { DevAccount } from '../../../src/auth/dev-server.ts'
import type { DemoDataResult } from '../../../src/pack/domain-pack.ts'
import type { Database } from '../../../src/store/database.ts'
import type { Priority } from '../gateway/priority.ts'

/** The demo people of the development sign-in, each with a short list of their own. */
export const TASK_PEOPLE: readonly (DevAccount & {
  tasks: ReadonlyArray<{ title: string; priority: Priority; completed?: boolean }>
})[] = [
  {
    sub: 'demo|ana-lima',
    name: 'Ana Lima',
    email: 'ana.lima@example.com',
    role: 'customer',
    tasks: [
      { title: 'Renew passport', priority: 'high' },
      { title: 'Book dentist appointment', priority: 'medium' },
      { title: 'Water the plants', priority: 'low', completed: true },
    ],
  },
  {
    sub: 'demo|ben-okoro',
    name: 'Ben Okoro',
    email: 'ben.okoro@example.com',
    role: 'customer',
    tasks: [{ title: 'Send the quarterly report', priority: 'high' }],
  },
]

/** Who the development sign-in offers for the task pack. */
export async function taskDevAccounts(): Promise<DevAccount[]> {
  return TASK_PEOPLE.map(({ sub, name, email, role }) => ({ sub, name, email, role }))
}

/** The demo people and their tasks, once: a person who already has a list is left as they are. */
export async function loadTaskDemoData(db: Database): Promise<DemoDataResult> {
  return db.transaction(async (tx) => {
    let users = 0
    let tasks = 0
    for (const person of TASK_PEOPLE) {
      const inserted = await tx.query(
        `INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO NOTHING`,
        [person.sub, person.email, person.name],
      )
      users += inserted.rowCount
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tasks WHERE user_id = $1',
        [person.sub],
      )
      if ((rows[0]?.n ?? 0) > 0) continue
      for (const [index, task] of person.tasks.entries()) {
        await tx.query(
          `INSERT INTO tasks (user_id, number, title, priority, completed, completed_at)
           VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN now() END)`,
          [person.sub, index + 1, task.title, task.priority, task.completed === true],
        )
        tasks++
      }
    }
    return { inserted: { users, tasks } }
  })
}
