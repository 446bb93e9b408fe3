import { Agent, Runner, tool } from '@openai/agents'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { reply, scriptedModel } from '../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.ts'
import { parseConfig } from '../config/config.ts'
import type { LlmConfig } from '../config/sections/llm.ts'
import { ConfigError } from '../lib/errors.ts'
import { createModel } from './model-factory.ts'
import { costOf, priceOf } from './model-prices.ts'

const llmOf = (env: Record<string, string>): LlmConfig => parseConfig(env, { cwd: '/w' }).llm

function factoryError(llm: LlmConfig): string {
  try {
    createModel(llm)
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('the model factory', () => {
  it('names the variable to set when the chosen provider has no key', () => {
    for (const [provider, variable] of [
      ['openai', 'OPENAI_API_KEY'],
      ['gemini', 'GEMINI_API_KEY'],
      ['groq', 'GROQ_API_KEY'],
      ['openrouter', 'OPENROUTER_API_KEY'],
      ['deepseek', 'DEEPSEEK_API_KEY'],
    ]) {
      expect(factoryError(llmOf({ LLM_PROVIDER: provider as string }))).toContain(
        `${variable} is not set (required when LLM_PROVIDER=${provider})`,
      )
    }
  })

  it('says how to configure a model when nothing is set, without failing the configuration', () => {
    const llm = llmOf({})
    expect(llm.configured).toBe(false)
    expect(factoryError(llm)).toMatch(/no model is configured: set OPENAI_API_KEY.*LLM_BASE_URL/)
  })

  it('refuses LLM_PROVIDER=compatible without LLM_BASE_URL, and asks for the model name', () => {
    expect(() => parseConfig({ LLM_PROVIDER: 'compatible' }, { cwd: '/w' })).toThrow(
      /LLM_BASE_URL: required when LLM_PROVIDER=compatible/,
    )
    expect(factoryError(llmOf({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }))).toContain(
      'LLM_MODEL is not set',
    )
    expect(() => parseConfig({ LLM_PROVIDER: 'anthropic' }, { cwd: '/w' })).toThrow(
      /LLM_PROVIDER: must be one of openai, gemini, groq, openrouter, deepseek, compatible/,
    )
  })

  it("uses each provider's endpoint and default model, and the overrides LLM_BASE_URL and LLM_MODEL give", () => {
    const groq = llmOf({ LLM_PROVIDER: 'groq', GROQ_API_KEY: 'gsk_x' })
    expect(groq).toMatchObject({
      configured: true,
      baseUrl: 'https://api.groq.com/openai/v1',
      model: 'llama-3.3-70b-versatile',
      api: 'chat',
      apiKey: 'gsk_x',
    })
    expect(
      llmOf({
        LLM_PROVIDER: 'groq',
        GROQ_API_KEY: 'k',
        GROQ_DEFAULT_MODEL: 'llama-3.1-8b-instant',
      }),
    ).toMatchObject({ model: 'llama-3.1-8b-instant' })
    expect(llmOf({ OPENAI_API_KEY: 'sk-x', LLM_MODEL: 'gpt-4.1-mini' })).toMatchObject({
      provider: 'openai',
      model: 'gpt-4.1-mini',
      api: 'responses',
    })
    expect(
      llmOf({ LLM_PROVIDER: 'openrouter', OPENROUTER_API_KEY: 'k', LLM_BASE_URL: 'http://p/v1/' }),
    ).toMatchObject({ baseUrl: 'http://p/v1', model: 'openai/gpt-oss-20b:free' })
    const local = llmOf({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'llama3.1' })
    expect(local).toMatchObject({ provider: 'compatible', apiKey: undefined, api: 'chat' })
    const made = createModel(local)
    expect(made.name).toBe('llama3.1')
    expect(made.model.constructor.name).toBe('OpenAIChatCompletionsModel')
    const responses = createModel(llmOf({ OPENAI_API_KEY: 'sk-x' }))
    expect(responses.model.constructor.name).toBe('OpenAIResponsesModel')
  })

  it('estimates cost from the price table, an override, or not at all', () => {
    expect(costOf(priceOf('gpt-4o-mini-2024-07-18'), 1_000_000, 1_000_000)).toBe(0.75)
    expect(costOf(priceOf('openai/gpt-4o'), 1000, 0)).toBe(0.0025)
    expect(costOf(priceOf('openai/gpt-oss-20b:free'), 5000, 5000)).toBe(0)
    expect(costOf(priceOf('my-local-model'), 10, 10)).toBeUndefined()
    expect(
      costOf(priceOf('x', { inputPerMillion: 1, outputPerMillion: 2 }), 1_000_000, 500_000),
    ).toBe(2)
  })
})

describe('a model from the factory, against an OpenAI-compatible server', () => {
  let server: ScriptedOpenAiServer
  beforeEach(async () => {
    server = await scriptedModel().start()
  })
  afterEach(async () => {
    await server.stop()
  })

  const compatible = (api: 'chat' | 'responses', maxRetries = 3) =>
    createModel(
      llmOf({
        LLM_PROVIDER: 'compatible',
        LLM_BASE_URL: server.url,
        LLM_MODEL: 'scripted-model',
        LLM_API: api,
        LLM_MAX_RETRIES: String(maxRetries),
        LLM_API_KEY: 'sk-test',
      }),
    )

  for (const api of ['chat', 'responses'] as const) {
    for (const stream of [false, true]) {
      it(`runs a tool call and a reply over ${api === 'chat' ? 'Chat Completions' : 'the Responses API'}${stream ? ', streamed' : ''}`, async () => {
        server.enqueue(
          reply({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }),
          reply((request) => {
            // The tool's output must reach the model: a tool message, or a function_call_output.
            const sent = JSON.stringify(request.body)
            return { text: /"(content|output)":"5"/.test(sent) ? 'The sum is 5.' : 'lost' }
          }),
        )
        const add = tool({
          name: 'add',
          description: 'adds two numbers',
          parameters: z.object({ a: z.number(), b: z.number() }),
          execute: ({ a, b }) => String(a + b),
        })
        const agent = new Agent({
          name: 'calc',
          instructions: 'add',
          model: compatible(api).model,
          tools: [add],
        })
        const runner = new Runner({ tracingDisabled: true })
        let streamed = ''
        let output: unknown
        if (stream) {
          const result = await runner.run(agent, 'what is 2 + 3?', { stream: true })
          for await (const event of result) {
            if (
              event.type === 'raw_model_stream_event' &&
              event.data.type === 'output_text_delta'
            ) {
              streamed += event.data.delta
            }
          }
          await result.completed
          output = result.finalOutput
          expect(streamed).toBe('The sum is 5.')
        } else {
          output = (await runner.run(agent, 'what is 2 + 3?')).finalOutput
        }
        expect(output).toBe('The sum is 5.')
        expect(server.requests.map((r) => r.path)).toEqual(
          Array(2).fill(api === 'chat' ? '/v1/chat/completions' : '/v1/responses'),
        )
        expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test')
      })
    }
  }

  it('waits as long as Retry-After asks after a 429, then succeeds', async () => {
    server.enqueue(
      { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow down' } } },
      reply({ text: 'ok' }),
    )
    const agent = new Agent({ name: 'a', instructions: 'x', model: compatible('chat').model })
    const result = await new Runner({ tracingDisabled: true }).run(agent, 'hi')
    expect(result.finalOutput).toBe('ok')
    const [first, second] = server.requests
    expect(second && first && second.at - first.at).toBeGreaterThanOrEqual(1990)
  })

  it('gives up on repeated 5xx after a bounded number of attempts, with a clear error', async () => {
    server.enqueue(
      ...Array.from({ length: 5 }, () => ({
        status: 503,
        headers: { 'retry-after-ms': '10' },
        body: { error: { message: 'overloaded' } },
      })),
    )
    const agent = new Agent({ name: 'a', instructions: 'x', model: compatible('chat', 2).model })
    await expect(new Runner({ tracingDisabled: true }).run(agent, 'hi')).rejects.toThrow(/503/)
    expect(server.requests).toHaveLength(3)
  })

  it('retries a reset connection and then answers', async () => {
    server.enqueue({ reset: true }, reply({ text: 'back' }))
    const agent = new Agent({ name: 'a', instructions: 'x', model: compatible('responses').model })
    const result = await new Runner({ tracingDisabled: true }).run(agent, 'hi')
    expect(result.finalOutput).toBe('back')
    expect(server.requests).toHaveLength(2)
  })
})
