import type { Describer } from '../../../src/gateway/approval-summary.ts'
import { findTask } from './tools.ts'

/**
 * A deletion as the person approving it must see it: the task the server will delete, found as
 * the tool finds it (the caller's own list; a name matching several tasks is refused), not the
 * words the model used to name it.
 */
const describeDeletion: Describer<{ task: number | string }> = async (ctx, input) => {
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
}

/** The tasks pack's summaries of the calls that wait for a person's approval. */
export const taskDescribers = { domain_delete_task: describeDeletion }
