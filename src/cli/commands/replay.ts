import { openMigratedDatabase } from '../../app/open-migrated-database.ts'
import { timelinePeople } from '../../app/timeline-people.ts'
import { InvalidInputError, NotFoundError } from '../../lib/errors.ts'
import { formatTimeline } from '../../memory/format-timeline.ts'
import { loadTimeline } from '../../memory/timeline.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * `fte replay <conversation-id>`: the conversation as a story, read-only; `--json` prints the
 * records behind it instead, in the order they were written.
 */
export async function replayCommand(
  context: CliContext,
  conversationId: string,
  options: { json?: boolean; verbose?: boolean },
): Promise<void> {
  if (!UUID.test(conversationId)) {
    throw new InvalidInputError(
      `"${conversationId.slice(0, 80)}" is not a conversation id (expected a UUID such as 3f2b8c1e-…)`,
    )
  }
  const runtime = loadRuntime(context)
  const db = await openMigratedDatabase(runtime)
  try {
    const timeline = await loadTimeline(db, conversationId.toLowerCase())
    if (timeline.conversation === null && timeline.events.length === 0) {
      throw new NotFoundError(`No conversation and no audit trail with id ${conversationId}`)
    }
    if (options.json === true) {
      context.stdout.write(`${JSON.stringify(timeline, null, 2)}\n`)
      return
    }
    const people = await timelinePeople(db, runtime.pack, timeline)
    context.stdout.write(
      formatTimeline(conversationId, timeline, { people, verbose: options.verbose }),
    )
  } finally {
    await db.close()
  }
}
