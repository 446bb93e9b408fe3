import { z } from 'zod'
import '../../audit-actions.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../../src/pack/tool-definition.ts'
import { DESCRIPTION, PRIORITY, TITLE } from '../arguments.ts'
import { detectPriority } from '../priority.ts'
import { shownTask, TASK_COLUMNS, type TaskRow } from '../task-row.ts'

export const addTaskTool = defineTool({
  name: 'domain_add_task',
  title: 'Add a task',
  description:
    'Adds a task to the person’s list. Use it for "add", "remind me to", "I need to", "put … on ' +
    'my list". Leave priority out unless the person names one: the server reads "urgent", ' +
    '"asap", "important" (high) or "minor", "when you have time" (low) from their words.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    title: TITLE,
    description: DESCRIPTION.optional(),
    priority: PRIORITY.optional(),
  }),
  annotations: writes({ destructive: false, idempotent: false }),
  sensitive: ['title', 'description'],
  async run(ctx, input) {
    const priority = input.priority ?? detectPriority(`${input.title} ${input.description ?? ''}`)
    // The person's row is locked while their next number is drawn: two adds never collide.
    await ctx.tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [ctx.identity.sub])
    const { rows } = await ctx.tx.query<TaskRow>(
      `INSERT INTO tasks (user_id, number, title, description, priority)
       SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4 FROM tasks WHERE user_id = $1
       RETURNING ${TASK_COLUMNS}`,
      [ctx.identity.sub, input.title, input.description ?? null, priority],
    )
    const task = rows[0] as TaskRow
    await ctx.record({
      action: 'task_added',
      target: `task:${task.number}`,
      payload: { priority, priority_from: input.priority === undefined ? 'words' : 'stated' },
    })
    return {
      data: {
        task: shownTask(task),
        priority_from: input.priority === undefined ? 'words' : 'stated',
      },
      text: `Added "${task.title}" with ${priority} priority (task ${task.number}).`,
    }
  },
})
