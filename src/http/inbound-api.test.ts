import { describe, expect, it } from 'vitest'
import type { InboundDoor } from '../jobs/inbound/inbound-door.ts'
import { ConfigError } from '../lib/errors.ts'
import { type InboundOptions, inboundApi } from './inbound-api.ts'

const unused = () => Promise.reject(new Error('no request reaches the door in this test'))
const door: InboundDoor = { email: unused, webhook: unused, refused: unused }
const valid: InboundOptions = {
  secrets: { email: ['a-secret-of-16-ch'], webhook: ['another-secret-16'] },
  toleranceSeconds: 300,
  maxBytes: 1_000_000,
  eventKinds: ['case_updated'],
  door,
}

describe('inboundApi options', () => {
  it('are accepted when every one is sound', () => {
    expect(() => inboundApi(valid)).not.toThrow()
    expect(() => inboundApi({ ...valid, secrets: {}, eventKinds: [] })).not.toThrow()
  })

  it('are refused at creation, every problem listed, no secret repeated', () => {
    let error: unknown
    try {
      inboundApi({
        ...valid,
        secrets: { email: ['long-enough-secret-1', 'short-secret'], webhook: [''] },
        toleranceSeconds: 0,
        maxBytes: 1.5,
        eventKinds: ['ok', ''],
      })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ConfigError)
    const { problems, message } = error as ConfigError
    expect(problems).toEqual([
      'inbound toleranceSeconds must be a positive whole number (got 0)',
      'inbound maxBytes must be a positive whole number (got 1.5)',
      'EMAIL_INBOUND_SECRET: secret 2 is shorter than 16 characters',
      'WEBHOOK_SECRET: secret 1 is shorter than 16 characters',
      'an inbound event kind is 1 to 100 characters',
    ])
    expect(message).not.toContain('short-secret')
  })
})
