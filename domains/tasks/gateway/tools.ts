import { z } from 'zod'
import '../audit-actions.ts'
import {
  defineTool,
  type GatewayTool,
  READ_ONLY,
  SESSION_ARGUMENT,
  type ToolContext,
} from '../../../src/gateway/gateway-tool.ts'
import { FteError } from '../../../src/lib/errors.ts'
import { plural } from '../../../src/lib/words.ts'
import { detectPriority, type Priority } from './priority.ts'

const PRIORITY = z
  .enum(['low', 'medium', 'high'], { error: 'priority must be low, medium or high' })
  .describe('Only when the person names one; left out, the server reads it from their words')
const TASK_REF = z
  .union([z.number().int().min(1).max(1_000_000), z.string().trim().min(1).max(200)])
  .describe('The task: its number in the list (3) or its title as the person says it')
const TITLE = z.string().trim().min(1).max(200).describe('What to do, briefly')
const DESCRIPTION = z.string().trim().max(2000).describe('Details, if the person gave any')

interface TaskRow extends Record<string, unknown> {
  id: string
  number: number
  title: string
  description: string | null
  priority: Priority
  completed: boolean
  created_at: Date
}

const COLUMNS = 'id, number, title, description, priority, completed, created_at'

/** One line of a list: what a person reads, with the number to tell tasks apart. */
function line(task: TaskRow): string {
  return `${task.number}. ${task.title} (${task.priority}${task.completed ? ', done' : ''})`
}

function shown(task: TaskRow) {
  return {
    number: task.number,
    title: task.title,
    description: task.description,
    priority: task.priority,
    completed: task.completed,
  }
}

/**
 * The caller's task named by `ref`: by number, or by title (exact, then the only one containing
 * it). Every query is scoped to the verified identity: another person's task reads as missing.
 */
export async function findTask(
  ctx: ToolContext,
  ref: number | string,
  lock: boolean,
): Promise<TaskRow> {
  const numeric =
    typeof ref === 'number' ? ref : /^#?\d+$/.test(ref) ? Number(ref.replace('#', '')) : undefined
  const forUpdate = lock ? 'FOR UPDATE' : ''
  if (numeric !== undefined) {
    const { rows } = await ctx.tx.query<TaskRow>(
      `SELECT ${COLUMNS} FROM tasks WHERE user_id = $1 AND number = $2 ${forUpdate}`,
      [ctx.identity.sub, numeric],
    )
    if (rows[0] === undefined) throw missing(`number ${numeric}`)
    return rows[0]
  }
  const title = String(ref)
  const { rows } = await ctx.tx.query<TaskRow>(
    `SELECT ${COLUMNS} FROM tasks
     WHERE user_id = $1 AND (lower(title) = lower($2) OR strpos(lower(title), lower($2)) > 0)
     ORDER BY (lower(title) = lower($2)) DESC, completed, number
     LIMIT 5 ${forUpdate}`,
    [ctx.identity.sub, title],
  )
  const exact = rows.filter((r) => r.title.toLowerCase() === title.toLowerCase())
  if (exact.length === 1 && exact[0] !== undefined) return exact[0]
  if (rows.length === 1 && rows[0] !== undefined) return rows[0]
  if (rows.length === 0) throw missing(`called "${title.slice(0, 80)}"`)
  throw new FteError(
    'invalid_input',
    `More than one task matches "${title.slice(0, 80)}": ${rows.map(line).join('; ')}. Say which one.`,
    { fault: 'caller' },
  )
}

function missing(what: string): FteError {
  return new FteError('not_found', `You have no task ${what}.`, { fault: 'caller' })
}

/** Seed 002's assistant as gateway tools: every one acts on the caller's own list only. */
export function taskTools(): GatewayTool[] {
  return [
    defineTool({
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
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      sensitive: ['title', 'description'],
      async run(ctx, input) {
        const priority =
          input.priority ?? detectPriority(`${input.title} ${input.description ?? ''}`)
        // The person's row is locked while their next number is drawn: two adds never collide.
        await ctx.tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [ctx.identity.sub])
        const { rows } = await ctx.tx.query<TaskRow>(
          `INSERT INTO tasks (user_id, number, title, description, priority)
           SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4 FROM tasks WHERE user_id = $1
           RETURNING ${COLUMNS}`,
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
            task: shown(task),
            priority_from: input.priority === undefined ? 'words' : 'stated',
          },
          text: `Added "${task.title}" with ${priority} priority (task ${task.number}).`,
        }
      },
    }),

    defineTool({
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
          `SELECT ${COLUMNS} FROM tasks
           WHERE user_id = $1 AND ($2 = 'all' OR completed = ($2 = 'completed'))
           ORDER BY completed,
                    CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
                    number
           LIMIT 200`,
          [ctx.identity.sub, input.status],
        )
        const which = input.status === 'all' ? '' : `${input.status} `
        return {
          data: { status: input.status, tasks: rows.map(shown) },
          text:
            rows.length === 0
              ? `You have no ${which}tasks.`
              : `${plural(rows.length, `${which}task`)}:\n${rows.map(line).join('\n')}`,
        }
      },
    }),

    defineTool({
      name: 'domain_complete_task',
      title: 'Mark a task done',
      description: 'Marks one of the person’s tasks as completed ("done", "finished", "tick off").',
      input: z.strictObject({ session: SESSION_ARGUMENT, task: TASK_REF }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
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
          data: { task: { ...shown(task), completed: true }, already_completed: task.completed },
          text: task.completed
            ? `"${task.title}" was already done.`
            : `Marked "${task.title}" as done.`,
        }
      },
    }),

    defineTool({
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
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      sensitive: ['task', 'title', 'description'],
      async run(ctx, input) {
        const task = await findTask(ctx, input.task, true)
        const changed = (['title', 'description', 'priority'] as const).filter(
          (field) => input[field] !== undefined && input[field] !== task[field],
        )
        const { rows } = await ctx.tx.query<TaskRow>(
          `UPDATE tasks SET title = coalesce($2, title), description = coalesce($3, description),
                  priority = coalesce($4, priority), updated_at = now()
           WHERE id = $1 RETURNING ${COLUMNS}`,
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
          data: { task: shown(updated), changed },
          text:
            changed.length === 0
              ? `"${updated.title}" already reads that way; nothing changed.`
              : `Updated "${updated.title}": ${changed.join(', ')} changed.`,
        }
      },
    }),

    defineTool({
      name: 'domain_delete_task',
      title: 'Delete a task',
      description:
        'Deletes one of the person’s tasks for good. It cannot be undone: the Worker asks the ' +
        'person to approve it first.',
      input: z.strictObject({ session: SESSION_ARGUMENT, task: TASK_REF }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
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
          data: { deleted: shown(task) },
          text: `Deleted "${task.title}".`,
        }
      },
    }),
  ]
}
