import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { parseScenarioFile } from '../src/eval/scenario-file.ts'
import { FOLLOW_UP, referenceModel, UNKNOWN_CONVERSATION } from './support/reference-model.ts'
import type { ScriptedOpenAiServer } from './support/scripted-openai-server.ts'

const SUITE = `
domain: support
scenarios:
  - id: resend
    title: A parcel sent again
    persona: A patient customer.
    goal: Get parcel 12 sent again.
    messages: ["My parcel 12 never came.", "Thanks."]
    reference:
      actions:
        - tool: lookup_parcel
          arguments: { parcel: "12" }
        - as: staff
          tool: staff_only_tool
        - as: staff
          decide: approved
        - tool: resend_parcel
          arguments: { parcel: "12", note: sent again }
      reply: Parcel 12 is on its way again.
  - id: card
    title: A card number in the opening
    persona: A hasty customer.
    goal: Pay.
    messages: ["Charge my card 4242 4242 4242 4242 please."]
    reference:
      reply: I cannot take card numbers in the chat.
  - id: unreferenced
    title: No reference
    persona: Someone.
    goal: Nothing.
    messages: ["Hello there."]
`
const scenarios = parseScenarioFile(SUITE, 'suite.yaml')

const tools = ['lookup_parcel', 'resend_parcel', 'activate_skill'].map((name) => ({
  type: 'function' as const,
  function: { name, parameters: { type: 'object', properties: {} } },
}))

let model: ScriptedOpenAiServer | undefined
afterEach(async () => {
  await model?.stop()
})

async function client(): Promise<OpenAI> {
  model = await referenceModel(scenarios).start()
  return new OpenAI({ baseURL: model.url, apiKey: 'test', maxRetries: 0 })
}

type Message = OpenAI.ChatCompletionMessageParam

/** One Chat Completions request with the conversation so far; its answer is added to it. */
async function ask(openai: OpenAI, messages: Message[], offered = tools) {
  const completion = await openai.chat.completions.create({
    model: 'worker',
    messages,
    tools: offered,
  })
  const answer = completion.choices[0]?.message
  if (answer === undefined) throw new Error('no answer')
  messages.push(answer)
  for (const call of answer.tool_calls ?? []) {
    messages.push({ role: 'tool', tool_call_id: call.id, content: 'done' })
  }
  return answer
}

const calls = (answer: OpenAI.ChatCompletionMessage) =>
  (answer.tool_calls ?? []).map((call) =>
    call.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : [],
  )

describe('the reference model', () => {
  it("makes the customer's reference calls in order, one per request, then gives the reply, once", async () => {
    const openai = await client()
    const messages: Message[] = [
      { role: 'system', content: 'You are the Worker.' },
      { role: 'user', content: 'My parcel 12 never came.' },
    ]
    expect(calls(await ask(openai, messages))).toEqual([['lookup_parcel', { parcel: '12' }]])
    expect(calls(await ask(openai, messages))).toEqual([
      ['resend_parcel', { parcel: '12', note: 'sent again' }],
    ])
    const answer = await ask(openai, messages)
    expect(answer.tool_calls ?? []).toEqual([])
    expect(answer.content).toBe('Parcel 12 is on its way again.')
    // A later turn: every call is in the history, none is made again, nothing is claimed again.
    messages.push({ role: 'user', content: 'Thanks.' })
    const later = await ask(openai, messages)
    expect(later.tool_calls ?? []).toEqual([])
    expect(later.content).toBe(FOLLOW_UP)
  })

  it('plays the Responses API from the calls its input holds', async () => {
    const openai = await client()
    const response = await openai.responses.create({
      model: 'worker',
      instructions: 'You are the Worker.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'My parcel 12 never came.' }] },
        {
          type: 'function_call',
          call_id: 'c1',
          name: 'lookup_parcel',
          arguments: '{"parcel":"12"}',
        },
        { type: 'function_call_output', call_id: 'c1', output: 'Parcel 12: lost' },
      ],
      tools: tools.map((t) => ({
        type: 'function' as const,
        name: t.function.name,
        parameters: t.function.parameters,
        strict: false,
      })),
    })
    expect(response.output).toMatchObject([
      {
        type: 'function_call',
        name: 'resend_parcel',
        arguments: '{"parcel":"12","note":"sent again"}',
      },
    ])
  })

  it("knows a scenario by its first message as the Worker's input guardrail leaves it", async () => {
    const openai = await client()
    const answer = await ask(openai, [
      { role: 'user', content: 'Charge my card [card number removed] please.' },
    ])
    expect(answer.content).toBe('I cannot take card numbers in the chat.')
  })

  it('says so in a conversation no scenario opens, or when a call is not offered or there is no reference', async () => {
    const openai = await client()
    expect((await ask(openai, [{ role: 'user', content: 'Something else.' }])).content).toBe(
      UNKNOWN_CONVERSATION,
    )
    const withoutTools = await ask(
      openai,
      [{ role: 'user', content: 'My parcel 12 never came.' }],
      tools.slice(1),
    )
    expect(withoutTools.tool_calls ?? []).toEqual([])
    expect(withoutTools.content).toContain('lookup_parcel, which the Worker does not offer')
    expect((await ask(openai, [{ role: 'user', content: 'Hello there.' }])).content).toContain(
      'has no reference',
    )
  })

  it('refuses two scenarios that open alike: it could not tell them apart', () => {
    const [first] = scenarios
    if (first === undefined) throw new Error('no scenario')
    expect(() => referenceModel([first, { ...first, id: 'copy' }])).toThrow(
      /support\/copy opens as support\/resend does/,
    )
  })
})
