import { describe, expect, it } from 'vitest'
import { envelopeFor, readingOnly } from './envelope.ts'

const pack = {
  email: { tools: ['lookup', 'search'], maxSteps: 4 },
  webhook: { tools: ['lookup'] },
}

describe('envelopes', () => {
  it('takes the pack’s defaults, then the file’s fields, and drafts replies unless told to send', () => {
    const email = envelopeFor('email', { pack, file: { email: { maxSteps: 2 } }, replies: 'draft' })
    expect(email).toMatchObject({ trigger: 'email', tools: ['lookup', 'search'], maxSteps: 2 })
    expect(email?.replies).toBe('draft')
    const event = envelopeFor('webhook:store.paid', { pack, file: {}, replies: 'send' })
    expect(event).toMatchObject({
      trigger: 'webhook:store.paid',
      tools: ['lookup'],
      replies: 'send',
    })
  })

  it('gives a trigger neither the pack nor the file declares no envelope at all', () => {
    expect(envelopeFor('schedule:nightly', { pack, file: {}, replies: 'send' })).toBeUndefined()
  })

  it('leaves any tool that writes out of an email job’s envelope, whatever the file says', () => {
    const wide = envelopeFor('email', {
      pack,
      file: { email: { tools: ['lookup', 'refund', 'note'] } },
      replies: 'send',
    })
    if (wide === undefined) throw new Error('no envelope')
    const tools = [
      { name: 'lookup', annotations: { readOnlyHint: true } },
      { name: 'refund', annotations: { readOnlyHint: false } },
      { name: 'note', annotations: { readOnlyHint: false } },
    ]
    expect(readingOnly(wide, tools)).toEqual({
      envelope: { ...wide, tools: ['lookup'] },
      removed: ['refund', 'note'],
    })
  })
})
