import { InvalidInputError, NotFoundError } from '../../../src/lib/errors.ts'
import type { ToolContext } from '../../../src/pack/tool-definition.ts'
import type { Priority } from './priority.ts'

export interface TaskRow extends Record<string, unknown> {
  id: string
  number: number
  title: string
  description: string | null
  priority: Priority
  completed: boolean
  created_at: Date
}

export const TASK_COLUMNS = 'id, number, title, description, priority, completed, created_at'

/** One line of a list: what a person reads, with the number to tell tasks apart. */
export function taskLine(task: TaskRow): string {
  return `${task.number}. ${task.title} (${task.priority}${task.completed ? ', done' : ''})`
}

/** A task as a tool returns it: everything but its internal id. */
export function shownTask(task: TaskRow) {
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
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE user_id = $1 AND number = $2 ${forUpdate}`,
      [ctx.identity.sub, numeric],
    )
    if (rows[0] === undefined) throw missing(`number ${numeric}`)
    return rows[0]
  }
  const title = String(ref)
  const { rows } = await ctx.tx.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks
     WHERE user_id = $1 AND (lower(title) = lower($2) OR strpos(lower(title), lower($2)) > 0)
     ORDER BY (lower(title) = lower($2)) DESC, completed, number
     LIMIT 5 ${forUpdate}`,
    [ctx.identity.sub, title],
  )
  const exact = rows.filter((r) => r.title.toLowerCase() === title.toLowerCase())
  if (exact.length === 1 && exact[0] !== undefined) return exact[0]
  if (rows.length === 1 && rows[0] !== undefined) return rows[0]
  if (rows.length === 0) throw missing(`called "${title.slice(0, 80)}"`)
  throw new InvalidInputError(
    `More than one task matches "${title.slice(0, 80)}": ${rows.map(taskLine).join('; ')}. Say which one.`,
  )
}

function missing(what: string): NotFoundError {
  return new NotFoundError(`You have no task ${what}.`)
}
