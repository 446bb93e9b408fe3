import { describe, expect, it } from 'vitest'
import { FIXTURE_ACTION_CLAIMS } from '../../test/fixture-pack/action-claims.ts'
import { GroundedStream, GroundingSources } from './grounding.ts'
import { TurnState } from './worker-context.ts'

describe('the grounding of a reply', () => {
  it('never grounds a program’s word for a missing value, whatever the sources say', () => {
    // A tool's structured result, as the Worker grounds it, has nulls in it.
    const sources = new GroundingSources(['{"ticket":null,"note":"undefined"} NaN'])
    expect(sources.check('Your booking undefined is confirmed.').ungrounded).toEqual(['undefined'])
    expect(sources.check('Booking #null, room null, NaN days.').ungrounded).toEqual(['null', 'NaN'])
    expect(sources.check('You booked [object Object].').ungrounded).toEqual(['[object Object]'])
  })

  it('reads a figure of four digits or more whole, with or without thousands separators', () => {
    // As the support pack's tools print an amount: no separators.
    const sources = new GroundingSources(['Order #4205: $4800.00, delivered; no refunds.'])
    expect(sources.check('Order #4205: $4800.00, delivered.').ok).toBe(true)
    expect(sources.check('That is $4,800.00 in all.').ok).toBe(true)
    expect(sources.check('Order #4205: $4900.00.').ungrounded).toEqual(['$4900.00'])
    expect(sources.check('Order #4205: $4,900.00.').ungrounded).toEqual(['$4,900.00'])
  })

  it('leaves the same words alone in other cases, as prose has them', () => {
    const sources = new GroundingSources([])
    expect(sources.check('Null and void; my nan booked it.').ok).toBe(true)
  })
})

describe('a streamed reply', () => {
  const turn = () =>
    new TurnState(
      {
        conversationId: '00000000-0000-4000-8000-000000000001',
        userId: 'demo|ada-park',
        sessionHandle: 'fses_unchecked',
        grounding: [],
        traceId: 'trace_1',
      },
      FIXTURE_ACTION_CLAIMS,
    )

  it('stops before the word that makes an unbacked claim, though the claim spans several deltas', () => {
    const stream = new GroundedStream(turn())
    const shown = ['Good news: I ', 'have ', 'cancelled ', 'it.'].map((d) => stream.push(d))
    expect(shown.join('') + stream.end()).toBe('Good news: I have ')
    expect(stream.isBlocked).toBe(true)
  })

  it('lets a backed claim through, and starts each message afresh', () => {
    const state = turn()
    const stream = new GroundedStream(state)
    expect(stream.push('Let me check. I ') + stream.end()).toBe('Let me check. I ')
    // A new message: "I" of the last one does not make "cancelled" a claim.
    expect(stream.push('cancelled ')).toBe('cancelled ')
    state.called({
      tool: 'domain_cancel_booking',
      status: 'ok',
      structured: {},
      staffRequest: undefined,
    })
    expect(stream.push('and I have cancelled ') + stream.push('it. ') + stream.end()).toBe(
      'and I have cancelled it. ',
    )
  })
})
