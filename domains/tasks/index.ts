import { join } from 'node:path'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { TASKS_ACTION_CLAIMS } from './action-claims.ts'
import { loadTaskDemoData, taskDevAccounts } from './demo/demo-data.ts'
import { TASKS_PERSONA, TASKS_RULES } from './gateway/persona.ts'
import { addTaskTool } from './gateway/tools/add-task.ts'
import { completeTaskTool } from './gateway/tools/complete-task.ts'
import { deleteTaskTool } from './gateway/tools/delete-task.ts'
import { listTasksTool } from './gateway/tools/list-tasks.ts'
import { updateTaskTool } from './gateway/tools/update-task.ts'

const here = join(packageRoot(), 'domains', 'tasks')

/** A task assistant: each person's task list, with identity from the verified token, never an argument. */
export const tasksPack: DomainPack = {
  name: 'tasks',
  description: 'A personal task list: add, list, complete, update and delete your own tasks',
  migrations: { name: 'tasks', dir: join(here, 'migrations') },
  loadDemoData: (db) => loadTaskDemoData(db),
  gateway: {
    persona: TASKS_PERSONA,
    rules: TASKS_RULES,
    // Every one acts on the caller's own list only.
    tools: [addTaskTool, listTasksTool, completeTaskTool, updateTaskTool, deleteTaskTool],
    actionClaims: TASKS_ACTION_CLAIMS,
  },
  devAccounts: () => taskDevAccounts(),
  demoPeople: { customer: 'demo|ana-lima' },
  examplePrompt: 'Add an urgent task: call the plumber.',
  skillsDir: join(here, 'skills'),
  evalsDir: join(here, 'evals'),
}
