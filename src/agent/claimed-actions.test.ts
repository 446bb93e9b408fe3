import { describe, expect, it } from 'vitest'
import { FIXTURE_ACTION_CLAIMS } from '../../test/fixture-pack/action-claims.ts'
import { actionsDone, type CallOutcome, claimsIn } from './claimed-actions.ts'
import { TurnState } from './worker-context.ts'

const call = (overrides: Partial<CallOutcome>): CallOutcome => ({
  tool: 'domain_cancel_booking',
  status: 'ok',
  structured: { booking: { number: 2 } },
  staffRequest: undefined,
  ...overrides,
})

const claims = [
  ...FIXTURE_ACTION_CLAIMS,
  // A claim backed only by a result the policy let through, and one nothing backs.
  {
    action: 'moved',
    patterns: [/\bI (?:have )?moved\b/i],
    backedBy: [{ tool: 'domain_move_booking', result: { status: 'moved' } }],
  },
  { action: 'invoiced', patterns: [/\bI (?:have )?invoiced\b/i], backedBy: [] },
]

function turn(done: string[] = []): TurnState {
  return new TurnState(
    {
      conversationId: '00000000-0000-4000-8000-000000000001',
      userId: 'demo|ada-park',
      sessionHandle: 'fses_unchecked',
      grounding: ['your booking #2'],
      done,
      traceId: 'trace_1',
    },
    claims,
  )
}

describe('the claims a reply makes', () => {
  it('names each action claimed once, with the words that claim it', () => {
    expect(claimsIn('I have cancelled #2 and I booked Cedar. I cancelled #3 too.', claims)).toEqual(
      [
        { action: 'booking', said: 'I booked' },
        { action: 'cancellation', said: 'I have cancelled' },
      ],
    )
    expect(claimsIn('Would you like me to cancel #2?', claims)).toEqual([])
  })

  it('leaves out words in double quotes: someone else’s, quoted', () => {
    expect(
      claimsIn('You wrote "I cancelled #2 yesterday", and it is still booked.', claims),
    ).toEqual([])
    expect(claimsIn('A guide says: “I booked Cedar and it was free.”', claims)).toEqual([])
    expect(claimsIn('I cancelled "Aurora on Friday" for you.', claims)).toEqual([
      { action: 'cancellation', said: 'I cancelled' },
    ])
  })
})

describe('the actions a call did', () => {
  it('are those of the claims its tool backs, when it succeeded and was not put to staff', () => {
    expect(actionsDone(call({}), claims)).toEqual(['cancellation'])
    expect(actionsDone(call({ tool: 'domain_get_booking' }), claims)).toEqual([])
    expect(actionsDone(call({ status: 'error' }), claims)).toEqual([])
    expect(actionsDone(call({ status: 'timeout' }), claims)).toEqual([])
    expect(actionsDone(call({ staffRequest: 'a-request-id' }), claims)).toEqual([])
  })

  it('need the result fields the claim asks for: a blocked request did nothing', () => {
    const move = { tool: 'domain_move_booking' }
    expect(actionsDone(call({ ...move, structured: { status: 'moved' } }), claims)).toEqual([
      'moved',
    ])
    expect(actionsDone(call({ ...move, structured: { status: 'blocked' } }), claims)).toEqual([])
    expect(actionsDone(call({ ...move, structured: undefined }), claims)).toEqual([])
  })
})

describe('a turn’s output check', () => {
  it('blocks a claim no successful call of the turn backs, and lets it through once one does', () => {
    const state = turn()
    expect(state.check('I have cancelled your booking #2.')).toEqual({
      ok: false,
      ungrounded: [],
      unbacked: [{ action: 'cancellation', said: 'I have cancelled' }],
    })
    state.called(call({ status: 'error' }))
    expect(state.check('I have cancelled your booking #2.').ok).toBe(false)
    state.called(call({}))
    expect(state.check('I have cancelled your booking #2.')).toEqual({
      ok: true,
      ungrounded: [],
      unbacked: [],
    })
  })

  it('keeps what was done before a pause, and never backs a claim no tool can', () => {
    expect(turn(['cancellation']).check('I have cancelled your booking #2.').ok).toBe(true)
    expect(turn(['cancellation']).check('I have invoiced you.').unbacked).toEqual([
      { action: 'invoiced', said: 'I have invoiced' },
    ])
  })

  it('reports ids and claims together', () => {
    expect(turn().check('I have cancelled booking undefined.')).toEqual({
      ok: false,
      ungrounded: ['undefined'],
      unbacked: [{ action: 'cancellation', said: 'I have cancelled' }],
    })
  })
})
