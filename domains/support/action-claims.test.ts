import { describe, expect, it } from 'vitest'
import { claimsIn } from '../../src/agent/claimed-actions.ts'
import { SUPPORT_ACTION_CLAIMS } from './action-claims.ts'

const claimed = (text: string) => claimsIn(text, SUPPORT_ACTION_CLAIMS).map((c) => c.action)

describe('the support Worker’s claims of an action taken', () => {
  it.each([
    // The reply that reached a customer in a turn that called no tool.
    ['I have escalated ticket undefined to billing.', 'escalation'],
    ["I've escalated T-1042 to the billing team.", 'escalation'],
    ['Your ticket T-1042 has now been escalated.', 'escalation'],
    ['I have passed ticket T-1099 to our billing team.', 'escalation'],
    ["I've handed this over to a person on our team.", 'escalation'],
    ['I opened ticket T-1043 for you.', 'ticket'],
    ["I've created a new ticket about the charger.", 'ticket'],
    ['I have refunded $49.00 to your card.', 'refund'],
    ["I've issued a full refund of $49.00.", 'refund'],
    ['Your refund of $49.00 has now been issued.', 'refund'],
    ['Order #4429 has just been refunded.', 'refund'],
    ["I've cancelled your order.", 'cancellation'],
  ])('%j claims the %s', (text, action) => {
    expect(claimed(text)).toEqual([action])
  })

  it.each([
    'I can escalate this for you.',
    "I'll escalate it to billing if you'd like.",
    'Would you like me to refund the $49.00?',
    'Should I open a ticket for this?',
    "I haven't escalated it yet.",
    'The escalation of ticket T-1042 was declined, so I have not escalated it.',
    'I could not refund it: the refund policy blocks a second refund.',
    // History a lookup returned.
    'Order #4429 has already been refunded (per the order history).',
    'Your refund of $49.00 was issued on 2 January.',
    'I checked, and your order was refunded in full.',
    'Your refund has been issued.',
    'Ticket T-1042 is escalated to the billing team.',
    // A refund put to a support lead: pending, and saying so is true.
    'A support lead will review your refund of $450.00.',
    "I've asked a support lead to review your refund of $450.00.",
    'I have passed your request to a support lead.',
    // Precedent, told or quoted.
    'In similar cases we refunded the shipping cost.',
    'A similar case read: "I cancelled #4215 before it shipped and got the cancellation email."',
  ])('%j claims nothing', (text) => {
    expect(claimed(text)).toEqual([])
  })
})
