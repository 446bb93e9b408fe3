import { z } from 'zod'
import '../../audit-actions.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../../src/pack/tool-definition.ts'
import { TASK_REF } from '../arguments.ts'
import { findTask, shownTask } from '../task-row.ts'

export const completeTaskTool = defineTool({
  name: 'domain_complete_task',
  title: 'Mark a task done',
  description: 'Marks one of the person’s tasks as completed ("done", "finished", "tick off").',
  input: z.strictObject({ session: SESSION_ARGUMENT, task: TASK_REF }),
  annotations: writes({ destructive: false, idempotent: true }),
  sensitive: ['task'],
  async run(ctx, input) {
    const task = await findTask(ctx, input.task, true)
    if (!task.completed) {
      await ctx.tx.query(
        `UPDATE tasks SET completed = true, completed_at = now(), updated_at = now()
         WHERE id = $1`,
        [task.id],
      )
      await ctx.record({ action: 'task_completed', target: `task:${task.number}` })
    }
    return {
      data: { task: { ...shownTask(task), completed: true }, already_completed: task.completed },
      text: task.completed
        ? `"${task.title}" was already done.`
        : `Marked "${task.title}" as done.`,
    }
  },
})
