import { APIError } from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { createModel } from '../agent/model-factory.ts'
import { parseConfig } from '../config/config.ts'
import { SystemError } from '../lib/errors.ts'
import { llmSimulator, STOP } from './llm-simulator.ts'

const scenario = {
  persona: 'Ada Lovelace, a patient customer who writes in short sentences.',
  goal: 'Get the parcel number 12 sent again to her new address.',
  messages: ['My parcel never came.', 'This second message is for the scripted customer only.'],
}

type Body = {
  messages?: Array<{ role: string; content: string }>
  instructions?: string
  input?: Array<{ role: string; content: string }>
}

let server: ScriptedOpenAiServer
beforeEach(async () => {
  server = await scriptedModel().start()
})
afterEach(async () => {
  await server.stop()
})

const modelFor = (api: 'chat' | 'responses') =>
  createModel(
    parseConfig(
      {
        LLM_PROVIDER: 'compatible',
        LLM_BASE_URL: server.url,
        LLM_MODEL: 'customer-model',
        LLM_API: api,
        LLM_MAX_RETRIES: '0',
      },
      { cwd: '/w' },
    ).llm,
  )

/** The system prompt and the conversation a request sent, whichever API it spoke. */
function sent(index: number): { system: string; lines: Array<{ role: string; content: string }> } {
  const body = server.requests[index]?.body as Body
  if (body.messages !== undefined) {
    const [system, ...lines] = body.messages
    expect(system?.role).toBe('system')
    return { system: system?.content ?? '', lines }
  }
  return { system: body.instructions ?? '', lines: body.input ?? [] }
}

for (const api of ['chat', 'responses'] as const) {
  describe(`the simulated customer over ${api === 'chat' ? 'Chat Completions' : 'the Responses API'}`, () => {
    it('opens with the first message verbatim, then writes its answers, the agent speaking as the user', async () => {
      server.enqueue(reply({ text: '  It is number 12.  ' }))
      const customer = llmSimulator(scenario, modelFor(api))
      expect(await customer.open()).toBe('My parcel never came.')
      expect(server.requests).toHaveLength(0)
      expect(await customer.next('Which parcel is it?')).toEqual({ message: 'It is number 12.' })
      const request = server.requests[0]
      expect(request?.path).toBe(api === 'chat' ? '/v1/chat/completions' : '/v1/responses')
      expect(request?.body).toMatchObject({ model: 'customer-model' })
      const { system, lines } = sent(0)
      expect(system).toContain(scenario.persona)
      expect(system).toContain(scenario.goal)
      expect(system).toContain(STOP)
      expect(lines.slice(1)).toEqual([
        { role: 'assistant', content: 'My parcel never came.' },
        { role: 'user', content: 'Which parcel is it?' },
      ])
    })

    it('writes its own opening from its goal when asked to, the agent greeting it first', async () => {
      server.enqueue(reply({ text: 'Hi, something I ordered never arrived.' }))
      const customer = llmSimulator(scenario, modelFor(api), 'generated')
      expect(await customer.open()).toBe('Hi, something I ordered never arrived.')
      const { system, lines } = sent(0)
      expect(system).toContain(scenario.goal)
      expect(lines).toEqual([{ role: 'user', content: 'Hi! How can I help you today?' }])
    })

    it('is done when it answers with the stop token, alone or after a last word', async () => {
      server.enqueue(reply({ text: STOP }), reply({ text: `Thanks! ${STOP}` }))
      const customer = llmSimulator(scenario, modelFor(api))
      await customer.open()
      expect(await customer.next('It is on its way again.')).toEqual({ done: true })
      const polite = llmSimulator(scenario, modelFor(api))
      await polite.open()
      expect(await polite.next('It is on its way again.')).toEqual({ done: true })
    })

    it('counts the tokens its model spent', async () => {
      server.enqueue(
        reply({ text: 'Number 12.', usage: { input: 50, output: 4 } }),
        reply({ text: 'APPROVE', usage: { input: 70, output: 1 } }),
      )
      const customer = llmSimulator(scenario, modelFor(api))
      await customer.open()
      await customer.next('Which parcel?')
      await customer.consent('Send parcel 12 again')
      expect(customer.usage).toEqual({ inputTokens: 120, outputTokens: 5 })
    })
  })
}

describe('the simulated customer', () => {
  it('reads APPROVE or REJECT from its answer to a request for consent; anything else is no', async () => {
    const answers = [
      'APPROVE',
      'Approved.',
      'REJECT',
      'I reject that, approve nothing',
      'Hmm, maybe?',
      "I don't approve this. REJECT",
      'Approve? No. REJECT',
      'I do not approve of that',
    ]
    server.enqueue(...answers.map((text) => reply({ text })))
    const verdicts = []
    for (const _ of answers) {
      const customer = llmSimulator(scenario, modelFor('chat'))
      await customer.open()
      verdicts.push(await customer.consent('Send parcel 12 again to 1 New Street'))
    }
    expect(verdicts).toEqual([true, true, false, false, false, false, false, false])
    const question = sent(0).lines.at(-1)
    expect(question?.role).toBe('user')
    expect(question?.content).toContain('Send parcel 12 again to 1 New Street')
    expect(question?.content).toMatch(/APPROVE or REJECT/)
  })

  it('remembers what it consented to when it answers the next reply', async () => {
    server.enqueue(reply({ text: 'REJECT' }), reply({ text: 'No, just send it again.' }))
    const customer = llmSimulator(scenario, modelFor('responses'))
    await customer.open()
    expect(await customer.consent('Cancel parcel 12')).toBe(false)
    await customer.next('Understood, I will not cancel it.')
    expect(sent(1).lines.slice(-3)).toEqual([
      { role: 'user', content: expect.stringContaining('Cancel parcel 12') },
      { role: 'assistant', content: 'REJECT' },
      { role: 'user', content: 'Understood, I will not cancel it.' },
    ])
  })

  it("lets the provider's errors through, and fails when its model writes nothing", async () => {
    server.enqueue(
      { status: 400, body: { error: { message: 'no such model', type: 'invalid_request' } } },
      reply({ text: '' }),
    )
    const customer = llmSimulator(scenario, modelFor('chat'))
    await customer.open()
    await expect(customer.next('Which parcel?')).rejects.toBeInstanceOf(APIError)
    const silent = customer.next('Which parcel?')
    await expect(silent).rejects.toBeInstanceOf(SystemError)
    await expect(silent).rejects.toMatchObject({ code: 'simulator_no_reply' })
  })
})
