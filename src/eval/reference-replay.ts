import { GroundingSources } from '../agent/grounding.ts'
import { errorMessage } from '../lib/errors.ts'
import type { TranscriptLine } from './eval-report.ts'
import type { LoadedScenario } from './scenario.ts'
import { callAs, decideOldestRequest, newConversation, type TrialWorld } from './trial-world.ts'

/** What a replay did: its lines, and what went wrong on the way (a call that failed, say). */
export interface Replayed {
  transcript: TranscriptLine[]
  /** The reference's replies: its one reply, for the grader. */
  replies: string[]
  failures: string[]
}

/**
 * The scenario's reference, with no model: each action straight through the gateway (an MCP
 * client of it, in this process) as the identity that makes it, each staff decision as the staff
 * console makes it, and then its reply as the only thing said. A call the gateway refuses fails
 * the replay unless the action says it is meant to be refused (`refused: true`), and so does one
 * so marked that the gateway answers.
 */
export async function replayReference(
  world: TrialWorld,
  scenario: LoadedScenario,
  /** The tools the Worker asks the customer's consent for (the configuration's, or the pack's). */
  needsConsent: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<Replayed> {
  const transcript: TranscriptLine[] = [{ role: 'user', text: scenario.messages[0] as string }]
  const failures: string[] = []
  const reference = scenario.reference
  if (reference === undefined) {
    return { transcript, replies: [], failures: ['reference: the scenario has none'] }
  }
  // One conversation for the customer's calls and one for staff's, as in the product.
  const conversations = { customer: newConversation(), staff: newConversation() }
  // What may ground the reply, as the Worker's output check has it: the customer's words and what
  // the calls returned.
  const sources = new GroundingSources(scenario.messages)
  for (const [index, action] of reference.actions.entries()) {
    signal?.throwIfAborted()
    const step = `reference action ${index + 1}`
    if ('decide' in action) {
      const decided = await decideOldestRequest(world, action, signal).catch((error: unknown) => {
        failures.push(`${step}: staff could not decide: ${errorMessage(error)}`)
        return null
      })
      if (decided === undefined) failures.push(`${step}: no request waits for staff`)
      if (decided) {
        transcript.push({ role: 'staff', text: `${action.decide}: ${decided.outcome}` })
      }
      continue
    }
    if (
      action.as === 'customer' &&
      needsConsent.has(action.tool) &&
      scenario.approvals === 'reject'
    ) {
      failures.push(
        `${step}: ${action.tool} waits for the customer's consent, and this customer refuses it ` +
          '(approvals: reject): a model trial could never make it',
      )
    }
    const identity = action.as === 'staff' ? world.staff : world.user
    const answer = await callAs(world, identity, conversations[action.as], action, signal)
    if ('failed' in answer) {
      failures.push(`${step}: ${answer.failed}`)
      continue
    }
    if (action.as === 'customer') {
      sources.add(answer.text)
      if (answer.structured !== undefined) sources.add(JSON.stringify(answer.structured))
    }
    if (answer.refused && !action.refused) {
      failures.push(
        `${step}: the gateway refused ${action.tool} (${firstLine(answer.text)}); mark it refused: true if the reference means it to be`,
      )
    } else if (!answer.refused && action.refused) {
      failures.push(`${step}: ${action.tool} was meant to be refused, and the gateway answered it`)
    }
    transcript.push({
      role: 'tool',
      text: `${action.as} ${action.tool}(${JSON.stringify(action.arguments)}) → ${answer.refused ? 'refused: ' : ''}${answer.text}`,
    })
  }
  const { ungrounded } = sources.check(reference.reply)
  if (ungrounded.length > 0) {
    failures.push(
      `grounding: the reply names ${ungrounded.join(', ')}, which neither the customer nor a call ` +
        'of the reference said: the Worker would hold such a reply back',
    )
  }
  transcript.push({ role: 'worker', text: reference.reply })
  return { transcript, replies: [reference.reply], failures }
}

const firstLine = (text: string) => text.split('\n')[0]?.slice(0, 200) ?? ''
