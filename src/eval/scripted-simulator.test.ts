import { describe, expect, it } from 'vitest'
import { scriptedSimulator } from './scripted-simulator.ts'

const messages = ['Where is my parcel?', 'It is number 12.', 'Thanks.']

describe('the scripted customer', () => {
  it('opens with the first message, answers each reply with the next, then is done', async () => {
    const customer = scriptedSimulator({ messages, approvals: 'approve' })
    expect(await customer.open()).toBe('Where is my parcel?')
    expect(await customer.next('Which one?')).toEqual({ message: 'It is number 12.' })
    expect(await customer.next('Found it.')).toEqual({ message: 'Thanks.' })
    expect(await customer.next('Anything else?')).toEqual({ done: true })
    expect(await customer.next('Hello?')).toEqual({ done: true })
  })

  it('is done after the opening when the scenario has one message', async () => {
    const customer = scriptedSimulator({ messages: ['Hi'], approvals: 'approve' })
    await customer.open()
    expect(await customer.next('Hello, how can I help?')).toEqual({ done: true })
  })

  it("consents or refuses as the scenario's approvals say, and spends no tokens", async () => {
    const yes = scriptedSimulator({ messages, approvals: 'approve' })
    const no = scriptedSimulator({ messages, approvals: 'reject' })
    expect(await yes.consent('Send the parcel again')).toBe(true)
    expect(await no.consent('Send the parcel again')).toBe(false)
    expect(yes.usage).toEqual({ inputTokens: 0, outputTokens: 0 })
  })

  it('stops when the trial is cut short', async () => {
    const customer = scriptedSimulator({ messages, approvals: 'approve' })
    const signal = AbortSignal.abort()
    const aborted = { name: 'AbortError' }
    await expect(customer.open(signal)).rejects.toMatchObject(aborted)
    await expect(customer.next('Which one?', signal)).rejects.toMatchObject(aborted)
    await expect(customer.consent('Send it', signal)).rejects.toMatchObject(aborted)
  })
})
