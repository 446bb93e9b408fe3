import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { digest, redactPersonalData } from './personal-data.ts'

describe('personal data in the audit trail', () => {
  it('digests emails, phone numbers and card numbers wherever they are in a text', () => {
    const text =
      'Mail Maya.Okafor@Example.com, call (415) 555-0134 or +44 20 7946 0958, card 4111-1111-1111-1111.'
    const kept = redactPersonalData(text)
    expect(kept).toBe(
      `Mail [email:${digest('maya.okafor@example.com')}], call [phone:${digest('+14155550134')}] ` +
        `or [phone:${digest('+442079460958')}], card [card:${digest('4111111111111111')}].`,
    )
  })

  it('keeps what an investigator needs: order and ticket ids, amounts, dates, uuids, card-length numbers that fail Luhn', () => {
    for (const text of [
      'order #4429 for $219.00 (21900 cents), ticket T-1099',
      'issued 2026-11-20T14:03:00.000Z',
      'refund 3f2a9c10-1234-4a5b-9c8d-123456789012',
      'reference 1234 5678 9012 3456',
    ]) {
      expect(redactPersonalData(text)).toBe(text)
    }
  })

  it('never takes a piece of an id for a phone or card number: 5,000 random UUIDs stay whole', () => {
    const ids = Array.from({ length: 5000 }, () => randomUUID())
    expect(
      ids.filter((id) => redactPersonalData(`refund ${id} issued`) !== `refund ${id} issued`),
    ).toEqual([])
  })
})
