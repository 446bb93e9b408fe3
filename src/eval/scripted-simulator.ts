import { InternalError } from '../lib/errors.ts'
import type { Scenario } from './scenario.ts'
import type { UserSimulator } from './user-simulator.ts'

/**
 * The scripted customer (tests and CI): it opens with the scenario's first message, answers each
 * reply with the next one, whatever the reply said, and is done when they run out. It consents
 * or refuses as the scenario's `approvals` says.
 */
export function scriptedSimulator(
  scenario: Pick<Scenario, 'messages' | 'approvals'>,
): UserSimulator {
  let said = 0
  return {
    usage: { inputTokens: 0, outputTokens: 0 },
    async open(signal) {
      signal?.throwIfAborted()
      const first = scenario.messages[0]
      // The schema asks for at least one message.
      if (first === undefined) throw new InternalError('internal', 'a scenario without messages')
      said = 1
      return first
    },
    async next(_workerReply, signal) {
      signal?.throwIfAborted()
      const message = scenario.messages[said]
      if (message === undefined) return { done: true }
      said++
      return { message }
    },
    async consent(_request, signal) {
      signal?.throwIfAborted()
      return scenario.approvals === 'approve'
    },
  }
}
