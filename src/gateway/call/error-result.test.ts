import { describe, expect, it } from 'vitest'
import { CallerError, InternalError, NotFoundError, SystemError } from '../../lib/errors.ts'
import { toolErrorCode } from '../../protocol/gateway-wire.ts'
import { UNAVAILABLE } from './answers.ts'
import { errorResult } from './error-result.ts'

describe('errorResult', () => {
  it("shows a caller's error whose code the wire names as it is", () => {
    const outcome = errorResult(new NotFoundError('No order #4429 was found for you.'))
    expect(toolErrorCode(outcome.structuredContent)).toBe('not_found')
    expect(outcome.content[0]?.text).toBe('No order #4429 was found for you.')
    expect(outcome.isError).toBe(true)
  })

  it("fails closed on a caller's error the wire cannot name", () => {
    const outcome = errorResult(new CallerError('skill_path_refused', 'the path leads outside'))
    expect(toolErrorCode(outcome.structuredContent)).toBe('unavailable')
    expect(outcome.content[0]?.text).toBe(UNAVAILABLE)
  })

  it("fails closed on a wire code that is not the caller's fault, naming a time-out as such", () => {
    const bug = errorResult(new InternalError('invalid_input', 'a bad id from our own code'))
    expect(toolErrorCode(bug.structuredContent)).toBe('unavailable')
    const slow = errorResult(new SystemError('timeout', 'did not finish'))
    expect(toolErrorCode(slow.structuredContent)).toBe('timeout')
    expect(slow.content[0]?.text).toBe(`The call timed out. ${UNAVAILABLE}`)
  })
})
