import { z } from 'zod'
import { plural } from '../../../../src/lib/words.ts'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'
import { shownTask, TASK_COLUMNS, type TaskRow, taskLine } from '../task-row.ts'

export const listTasksTool = defineTool({
  name: 'domain_list_tasks',
  title: 'List tasks',
  description:
    'Lists the person’s tasks: pending ("what’s left", "to do"), completed ("done"), or all. ' +
    'Pending tasks come highest priority first, then oldest.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    status: z
      .enum(['all', 'pending', 'completed'], {
        error: 'status must be all, pending or completed',
      })
      .default('all'),
  }),
  annotations: READ_ONLY,
  isolation: 'statement',
  async run(ctx, input) {
    const { rows } = await ctx.tx.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM tasks
       WHERE user_id = $1 AND ($2 = 'all' OR completed = ($2 = 'completed'))
       ORDER BY completed,
                CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
                number
       LIMIT 200`,
      [ctx.identity.sub, input.status],
    )
    const which = input.status === 'all' ? '' : `${input.status} `
    return {
      data: { status: input.status, tasks: rows.map(shownTask) },
      text:
        rows.length === 0
          ? `You have no ${which}tasks.`
          : `${plural(rows.length, `${which}task`)}:\n${rows.map(taskLine).join('\n')}`,
    }
  },
})
