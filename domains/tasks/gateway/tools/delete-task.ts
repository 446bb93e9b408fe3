import { z } from 'zod'
import '../../audit-actions.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../../src/pack/tool-definition.ts'
import { TASK_REF } from '../arguments.ts'
import { findTask, shownTask } from '../task-row.ts'

export const deleteTaskTool = defineTool({
  name: 'domain_delete_task',
  title: 'Delete a task',
  description:
    'Deletes one of the person’s tasks for good. It cannot be undone: the Worker asks the ' +
    'person to approve it first.',
  input: z.strictObject({ session: SESSION_ARGUMENT, task: TASK_REF }),
  annotations: writes({ destructive: true, idempotent: false }),
  // Deleting cannot be undone: the person says yes first, asked by the gateway itself.
  consent: 'server',
  sensitive: ['task'],
  async run(ctx, input) {
    const task = await findTask(ctx, input.task, true)
    await ctx.tx.query('DELETE FROM tasks WHERE id = $1', [task.id])
    await ctx.record({
      action: 'task_deleted',
      target: `task:${task.number}`,
      payload: { completed: task.completed },
    })
    return {
      data: { deleted: shownTask(task) },
      text: `Deleted "${task.title}".`,
    }
  },
  /**
   * A deletion as the person approving it must see it: the task the server will delete, found as
   * `run` finds it (the caller's own list; a name matching several tasks is refused), not the
   * words the model used to name it.
   */
  async describe(ctx, input) {
    const task = await findTask(ctx, input.task, false)
    return {
      title: `Delete task ${task.number}: ${task.title}`,
      lines: [
        { label: 'Task', value: `${task.number}. ${task.title}` },
        ...(task.description === null || task.description === ''
          ? []
          : [{ label: 'Details', value: task.description }]),
        { label: 'Priority', value: task.priority },
        { label: 'Done', value: task.completed ? 'yes' : 'no' },
        { label: 'Added', value: task.created_at.toISOString().slice(0, 10) },
        { label: 'Undo', value: 'none: a deleted task is gone for good' },
      ],
      model_text: [],
    }
  },
})
