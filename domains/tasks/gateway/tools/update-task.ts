import { z } from 'zod'
import '../../audit-actions.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../../src/pack/tool-definition.ts'
import { DESCRIPTION, PRIORITY, TASK_REF, TITLE } from '../arguments.ts'
import { findTask, shownTask, TASK_COLUMNS, type TaskRow } from '../task-row.ts'

export const updateTaskTool = defineTool({
  name: 'domain_update_task',
  title: 'Change a task',
  description:
    'Changes a task’s title, description or priority: only the fields given change, the rest ' +
    'stay as they are.',
  input: z
    .strictObject({
      session: SESSION_ARGUMENT,
      task: TASK_REF,
      title: TITLE.optional(),
      description: DESCRIPTION.optional(),
      priority: PRIORITY.optional(),
    })
    .refine(
      (v) => v.title !== undefined || v.description !== undefined || v.priority !== undefined,
      { error: 'say what to change: title, description or priority' },
    ),
  annotations: writes({ destructive: false, idempotent: true }),
  sensitive: ['task', 'title', 'description'],
  async run(ctx, input) {
    const task = await findTask(ctx, input.task, true)
    const changed = (['title', 'description', 'priority'] as const).filter(
      (field) => input[field] !== undefined && input[field] !== task[field],
    )
    const { rows } = await ctx.tx.query<TaskRow>(
      `UPDATE tasks SET title = coalesce($2, title), description = coalesce($3, description),
              priority = coalesce($4, priority), updated_at = now()
       WHERE id = $1 RETURNING ${TASK_COLUMNS}`,
      [task.id, input.title ?? null, input.description ?? null, input.priority ?? null],
    )
    const updated = rows[0] as TaskRow
    if (changed.length > 0) {
      await ctx.record({
        action: 'task_updated',
        target: `task:${task.number}`,
        payload: { changed },
      })
    }
    return {
      data: { task: shownTask(updated), changed },
      text:
        changed.length === 0
          ? `"${updated.title}" already reads that way; nothing changed.`
          : `Updated "${updated.title}": ${changed.join(', ')} changed.`,
    }
  },
})
