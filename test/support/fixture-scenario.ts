import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { fixturePack } from '../fixture-pack/index.ts'
import { reply } from './scripted-model.ts'
import type { RecordedRequest, ScriptedOpenAiServer } from './scripted-openai-server.ts'
import { skillText, tempDir, writeSkill } from './skill-fixtures.ts'
import { toolResultsIn } from './worker-fixture.ts'

// The core's Worker story on the fixture pack: Ada moves both her bookings (#1 Aurora, #2 Birch in
// the demo data) to Cedar. Each move books the new room, then cancels the old booking, which waits
// for a person: one turn with two writes, two approvals and a reply built from what the tools said.

export const MOVE_SKILL = 'move-a-booking'

export const QUESTION = 'Please move my bookings #1 and #2 to the Cedar room, on the same days.'

/**
 * The fixture pack with one skill of the test's own (the pack ships none), in a temporary folder
 * that `remove` deletes.
 */
export async function fixtureWithSkill(): Promise<{ pack: DomainPack; remove(): Promise<void> }> {
  const skills = await tempDir('fte-fixture-skills-')
  await writeSkill(
    skills.dir,
    MOVE_SKILL,
    skillText(
      MOVE_SKILL,
      'Moves a booking to another room. Use when the person asks to change the room of a booking.',
      '1. Look the booking up.\n2. Book the new room on its day.\n3. Cancel the old booking.\n',
    ),
  )
  return { pack: { ...fixturePack, skillsDir: skills.dir }, remove: skills.remove }
}

/** The day of booking `number`, as its lookup among the tool results sent said. */
function dayOf(number: number, request: RecordedRequest): string {
  const lookup = new RegExp(`Booking #${number}: \\w+ on (\\d{4}-\\d\\d-\\d\\d)`)
  return lookup.exec(toolResultsIn(request).join('\n'))?.[1] ?? 'not looked up'
}

/** The move, as a model would play it, each step reading what the earlier ones returned. */
export function scriptScenario(model: ScriptedOpenAiServer): void {
  model.enqueue(
    reply({ toolCalls: [{ name: 'activate_skill', arguments: { name: MOVE_SKILL } }] }),
    reply({ toolCalls: [{ name: 'domain_get_booking', arguments: { booking: 1 } }] }),
    reply({ toolCalls: [{ name: 'domain_get_booking', arguments: { booking: 2 } }] }),
    reply((request) => ({
      toolCalls: [
        {
          name: 'domain_book_room',
          arguments: { room: 'Cedar', day: dayOf(1, request) },
        },
      ],
    })),
    reply({
      toolCalls: [
        { name: 'domain_cancel_booking', arguments: { booking: 1, reason: 'moved to Cedar' } },
      ],
    }),
    reply((request) => ({
      toolCalls: [
        {
          name: 'domain_book_room',
          arguments: { room: 'Cedar', day: dayOf(2, request) },
        },
      ],
    })),
    reply({
      toolCalls: [
        { name: 'domain_cancel_booking', arguments: { booking: 2, reason: 'moved to Cedar' } },
      ],
    }),
    reply((request) => {
      const results = toolResultsIn(request).join('\n')
      const booked = [...results.matchAll(/Booked Cedar on (\S+) \(booking #(\d+)\)/g)]
      const moved = booked.map(([, day, number]) => `booking #${number} on ${day}`).join(' and ')
      if (!/Cancelled booking #1\b/.test(results) || !/Cancelled booking #2\b/.test(results)) {
        return { text: `I booked Cedar (${moved}), but your old bookings are not cancelled.` }
      }
      return { text: `Your bookings #1 and #2 are now in Cedar: ${moved}.` }
    }),
  )
}
