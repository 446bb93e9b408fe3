import { describe, expect, it } from 'vitest'
import {
  NOTHING_KNOWN,
  nameCandidates,
  nameKey,
  orderCandidates,
  scrubPersonalData,
} from './scrub-personal-data.ts'

const KNOWN = {
  names: new Set(['maya okafor', "sean o'brien"]),
  orders: new Set(['4429', '18210']),
}

describe('scrubbing the people out of a past case', () => {
  it('replaces emails, phone numbers and long card or reference numbers by their shape', () => {
    expect(
      scrubPersonalData(
        'Write to Sara.Khan+orders@mail.example.co.uk or call +44 20 7946 0958, (555) 010-2345 ' +
          'or 5550102345. ARN 74537604221100012345678, card 4111 1111 1111 1111.',
        NOTHING_KNOWN,
      ),
    ).toBe('Write to [email] or call [phone], [phone] or [phone]. ARN [number], card [number].')
  })

  it('replaces ticket and order numbers, by their shape or because the database holds them', () => {
    expect(
      scrubPersonalData(
        'See T-1042. Order #4102, order no. 7781 and orders 5512 came late; 4429 and 18210 too.',
        KNOWN,
      ),
    ).toBe(
      'See [ticket]. Order [order], order no. [order] and orders [order] came late; [order] and [order] too.',
    )
  })

  it('replaces the full names of known customers in any case, and the own customer by either name', () => {
    expect(
      scrubPersonalData(
        "MAYA OKAFOR's parcel; Sean O'Brien called. Dear Ines, Duarte here: Ines Duarte again.",
        KNOWN,
        'Ines Duarte',
      ),
    ).toBe(
      "[customer]'s parcel; [customer] called. Dear [customer], [customer] here: [customer] again.",
    )
  })

  it('leaves amounts, dates, durations, references and ordinary words alone', () => {
    const text =
      'Refunded $1,250.00 and $12500.00 on 2026-11-04 within 5-10 business days (1999-2024 terms); ' +
      'reference RF-20931, a 30-day grace period for Grace, order 2 of 3, the #1 priority.'
    expect(scrubPersonalData(text, KNOWN, 'Maya Okafor')).toBe(text)
  })

  it('offers the lookup every run of two to four words and every bare number that could be an order', () => {
    const names = nameCandidates("Ask  Maya\nOkafor's team")
    expect(names).toContain('Maya Okafor')
    expect(names).toContain('Ask Maya Okafor')
    expect(names.map(nameKey)).toContain('maya okafor')
    expect(orderCandidates('order 4429, $5000, 12.5000, T-1042 and 18210.')).toEqual([
      '4429',
      '18210',
    ])
  })
})
