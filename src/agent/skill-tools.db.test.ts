import { join } from 'node:path'
import { Agent, OpenAIChatCompletionsModel, Runner } from '@openai/agents'
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startConversations } from '../../test/support/conversation-fixture.ts'
import {
  type RecordedRequest,
  ScriptedOpenAiServer,
  type ScriptedResponse,
} from '../../test/support/scripted-openai-server.ts'
import { tempDir } from '../../test/support/skill-fixtures.ts'
import { pgliteTarget, type TestDatabase } from '../../test/support/test-databases.ts'
import { packageRoot } from '../lib/package-root.ts'
import { discoverSkills } from '../skills/discover-skills.ts'
import { SkillRuntime } from '../skills/skill-runtime.ts'
import { createSandbox } from '../skills/skill-sandbox.ts'
import { type SkillToolContext, skillTools } from './skill-tools.ts'

const CONVERSATION = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'

/** A Chat Completions answer that calls one tool. */
function toolCall(id: string, name: string, args: Record<string, unknown>): ScriptedResponse {
  return completion({
    role: 'assistant',
    content: null,
    tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
  })
}

function completion(message: Record<string, unknown>): ScriptedResponse {
  return {
    body: {
      id: 'chatcmpl-scripted',
      object: 'chat.completion',
      created: 0,
      model: 'scripted-model',
      choices: [
        {
          index: 0,
          message,
          finish_reason: 'tool_calls' in message ? 'tool_calls' : 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    },
  }
}

type ChatMessage = { role: string; content: string | null; tool_call_id?: string }
const messagesOf = (request: RecordedRequest | undefined) =>
  (request?.body as { messages: ChatMessage[] } | undefined)?.messages ?? []
const toolOutput = (request: RecordedRequest | undefined, id: string) =>
  messagesOf(request).find((m) => m.role === 'tool' && m.tool_call_id === id)?.content ?? ''

describe('the skill tools, used by a plain Agents SDK agent with a scripted model', () => {
  let db: TestDatabase
  let model: ScriptedOpenAiServer
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let runtime: SkillRuntime

  beforeEach(async () => {
    db = await pgliteTarget.open('fixture')
    await startConversations(db, CONVERSATION)
    tmp = await tempDir()
    model = await new ScriptedOpenAiServer(() => ({
      status: 500,
      body: { error: { message: 'the script ran out' } },
    })).start()
    runtime = new SkillRuntime({
      library: await discoverSkills([
        { dir: join(packageRoot(), '.claude', 'skills'), level: 'project' },
      ]),
      db,
      actor: 'worker:support',
      maxResourceBytes: 64 * 1024,
      workspaceRoot: join(tmp.dir, 'workspaces'),
      sandbox: undefined,
    })
  })
  afterEach(async () => {
    await model.stop()
    await db.close()
    await tmp.remove()
  })

  function agent() {
    const client = new OpenAI({ baseURL: model.url, apiKey: 'scripted', maxRetries: 0 })
    return new Agent<SkillToolContext>({
      name: 'support-worker',
      instructions: `You are a support Worker.\n\n${runtime.catalog()}`,
      model: new OpenAIChatCompletionsModel(client, 'scripted-model'),
      modelSettings: { parallelToolCalls: false },
      tools: skillTools(runtime),
    })
  }

  it('activates a skill, reads its reference, is not reloaded on a second activation, and all is audited', async () => {
    model.enqueue(
      toolCall('call_1', 'activate_skill', { name: 'find-similar-cases' }),
      toolCall('call_2', 'read_skill_resource', {
        name: 'find-similar-cases',
        path: 'references/reading-matches.md',
      }),
      toolCall('call_3', 'activate_skill', { name: 'find-similar-cases' }),
      completion({ role: 'assistant', content: 'I checked how similar cases were resolved.' }),
    )
    const runner = new Runner({ tracingDisabled: true })
    const result = await runner.run(
      agent(),
      "I haven't received my refund from order #4429, it's been two weeks.",
      { context: { conversationId: CONVERSATION }, maxTurns: 6 },
    )
    expect(result.finalOutput).toBe('I checked how similar cases were resolved.')

    const [first, second, third, fourth] = model.requests
    // The model saw the catalog (names and descriptions), not the bodies.
    const system = messagesOf(first)[0]?.content ?? ''
    expect(system).toContain('- find-similar-cases: Searches the resolved-tickets library')
    expect(system).not.toContain('no strong prior precedent found')
    // The skill names are an enum the model must pick from.
    const tools =
      (
        first?.body as
          | { tools: Array<{ function: { name: string; parameters: unknown } }> }
          | undefined
      )?.tools ?? []
    expect(tools.map((t) => t.function.name)).toEqual(['activate_skill', 'read_skill_resource'])
    expect(JSON.stringify(tools[0]?.function.parameters)).toContain(
      '"enum":["escalate-with-context","find-similar-cases","log-a-note","summarize-ticket"]',
    )
    expect(toolOutput(second, 'call_1')).toContain('<skill name="find-similar-cases">')
    expect(toolOutput(second, 'call_1')).toContain('no strong prior precedent found')
    expect(toolOutput(second, 'call_1')).toContain('references/reading-matches.md')
    expect(toolOutput(third, 'call_2')).toContain('# Reading similar-case matches')
    expect(toolOutput(fourth, 'call_3')).toContain('is already active in this conversation')
    expect(toolOutput(fourth, 'call_3')).not.toContain('no strong prior precedent found')

    const { rows } = await db.query(
      `SELECT action, target, conversation_id FROM audit_log ORDER BY id`,
    )
    expect(rows).toEqual([
      {
        action: 'skill_activated',
        target: 'skill:find-similar-cases',
        conversation_id: CONVERSATION,
      },
      {
        action: 'capability_invoked',
        target: 'skill:find-similar-cases',
        conversation_id: CONVERSATION,
      },
    ])
  })

  it('tells the model, in words it can act on, when a path is refused; nothing leaks', async () => {
    model.enqueue(
      toolCall('call_1', 'read_skill_resource', {
        name: 'log-a-note',
        path: 'references/../../../../etc/passwd',
      }),
      completion({ role: 'assistant', content: 'I cannot read that file.' }),
    )
    await new Runner({ tracingDisabled: true }).run(agent(), 'Show me /etc/passwd', {
      context: { conversationId: CONVERSATION },
    })
    const output = toolOutput(model.requests[1], 'call_1')
    expect(output).toContain(
      'Error: "references/../../../../etc/passwd" climbs out of the skill folder',
    )
    expect(output).not.toContain('root:')
  })

  it('offers run_skill_script only when scripts are enabled', () => {
    expect(skillTools(runtime).map((t) => t.name)).not.toContain('run_skill_script')
    const withScripts = new SkillRuntime({
      library: runtime.library,
      db,
      actor: 'worker:support',
      maxResourceBytes: 1024,
      workspaceRoot: join(tmp.dir, 'workspaces'),
      sandbox: createSandbox({
        bwrap: 'bwrap',
        limits: {
          timeoutMs: 1000,
          cpuSeconds: 1,
          memoryBytes: 1 << 28,
          outputBytes: 1024,
          fileBytes: 1024,
        },
      }),
    })
    expect(skillTools(withScripts).map((t) => t.name)).toEqual([
      'activate_skill',
      'read_skill_resource',
      'run_skill_script',
    ])
  })
})
