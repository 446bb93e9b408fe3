import { join } from 'node:path'
import { withDescribers } from '../../src/gateway/approval-summary.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { taskDescribers } from './gateway/describe-calls.ts'
import { TASKS_PERSONA, TASKS_RULES } from './gateway/persona.ts'
import { taskTools } from './gateway/tools.ts'
import { loadTaskDemoData, taskDevAccounts } from './seed/demo-data.ts'

const here = join(packageRoot(), 'domains', 'tasks')

/** Seed 002's task assistant, with identity from the verified token instead of a user_id argument. */
export const tasksPack: DomainPack = {
  name: 'tasks',
  description: 'A personal task list: add, list, complete, update and delete your own tasks',
  migrations: { name: 'tasks', dir: join(here, 'migrations') },
  loadDemoData: (db) => loadTaskDemoData(db),
  gateway: {
    persona: TASKS_PERSONA,
    rules: TASKS_RULES,
    tools: () => withDescribers(taskTools(), taskDescribers),
    // Deleting cannot be undone: the Worker asks the person first.
    approvalTools: ['domain_delete_task'],
  },
  devAccounts: () => taskDevAccounts(),
  examplePrompt: 'e.g. Add an urgent task: call the plumber.',
  skillsDir: join(here, 'skills'),
}
