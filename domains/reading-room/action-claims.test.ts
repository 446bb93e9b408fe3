import { describe, expect, it } from 'vitest'
import { claimsIn } from '../../src/agent/claimed-actions.ts'
import { READING_ROOM_ACTION_CLAIMS } from './action-claims.ts'

const claimed = (text: string) => claimsIn(text, READING_ROOM_ACTION_CLAIMS).length > 0

describe('the Reading Room Worker’s claims of an action taken', () => {
  it('are a place said to be kept', () => {
    expect(claimed("I've saved your place at paragraph 3.")).toBe(true)
    expect(claimed('I kept your spot in "Why we sleep".')).toBe(true)
    expect(claimed('Your place is now saved.')).toBe(true)
  })

  it('are not an offer, a question or where the reader was', () => {
    expect(claimed('I can save your place if you like.')).toBe(false)
    expect(claimed('Shall I save your place?')).toBe(false)
    expect(claimed('Your place was saved at paragraph 3 yesterday.')).toBe(false)
  })
})
