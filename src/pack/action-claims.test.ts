import { describe, expect, it } from 'vitest'
import { claimPatterns } from './action-claims.ts'

// The grammar every pack's claims are built on, with the fixture pack's words.
const patterns = claimPatterns({ did: ['cancell?ed', 'booked'], isNow: ['cancell?ed'] })
const claims = (text: string) => patterns.some((pattern) => pattern.test(text))

describe('a claim of an action taken', () => {
  it.each([
    'I have cancelled your booking.',
    "I've cancelled booking #2 for you.",
    'I’ve just cancelled it.',
    'I cancelled it for you.',
    'i canceled it.',
    'I have now gone ahead and cancelled it.',
    "Done: I've also booked Cedar for Friday.",
    'I can confirm that I have cancelled it.',
    "I've cancelled it; is there anything else I can help with?",
    'Your booking has now been cancelled.',
    "It's now cancelled.",
    'Booking #2 was just cancelled.',
  ])('is made by %j', (text) => {
    expect(claims(text)).toBe(true)
  })

  it.each([
    // Offers and plans.
    'I can cancel this for you.',
    "I'll cancel it once you confirm.",
    'I will cancel it if you approve.',
    'Would you like me to cancel it?',
    // Questions.
    'Shall I cancel booking #2?',
    'Have I cancelled the right one?',
    'Should I have cancelled it?',
    'Has your booking now been cancelled?',
    // Negations.
    "I haven't cancelled anything.",
    'I have not cancelled it yet.',
    "I didn't cancel it.",
    "I couldn't cancel it: the system is down.",
    "I'm unable to cancel it.",
    // Conditions.
    'If I cancelled it, the room would be free.',
    "Once I've cancelled it, you will get an email.",
    // History: the passive without "now" or "just", as a tool read it back.
    'Your booking has already been cancelled (per your history).',
    'Your booking was cancelled last week.',
    'Booking #2 has been cancelled.',
    // Policy and precedent.
    'In cases like this we cancelled the booking.',
    'I cancel bookings only with your approval.',
  ])('is not made by %j', (text) => {
    expect(claims(text)).toBe(false)
  })
})
