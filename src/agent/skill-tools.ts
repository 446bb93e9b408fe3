import { type FunctionTool, type RunContext, tool } from '@openai/agents'
import { z } from 'zod'
import { FteError, InternalError } from '../lib/errors.ts'
import type { Activation, ResourceRead, ScriptRun, SkillRuntime } from '../skills/skill-runtime.ts'

/** What a run must carry in its context for the skill tools: the conversation they act in. */
export interface SkillToolContext {
  conversationId: string
}

type SkillTool = FunctionTool<SkillToolContext, z.ZodObject>

/**
 * Progressive disclosure as Agents SDK function tools, for a plain agent (the SDK offers skills
 * only to its sandbox agent): `activate_skill`, `read_skill_resource`, and `run_skill_script` when
 * scripts are enabled. Skill names are an enum of the library's, so the model cannot ask for one
 * that does not exist. No tools when there are no skills.
 */
export function skillTools(runtime: SkillRuntime): SkillTool[] {
  const [first, ...rest] = runtime.library.skills.map((skill) => skill.name)
  if (first === undefined) return []
  const name = z.enum([first, ...rest]).describe('the skill, by its name in the catalog')
  const tools: SkillTool[] = [
    tool({
      name: 'activate_skill',
      description:
        "Load a skill's instructions when the request matches its description. Returns the steps " +
        'to follow and the files the skill has. Activate a skill once per conversation.',
      parameters: z.object({ name }),
      execute: async (input, context) =>
        describeActivation(await runtime.activate(conversationOf(context), input.name)),
      errorFunction: errorForModel,
    }),
    tool({
      name: 'read_skill_resource',
      description:
        "Read one file of a skill (a reference, a template), by its path relative to the skill's " +
        'folder, e.g. references/checklist.md. Only when the instructions point to it.',
      parameters: z.object({
        name,
        path: z.string().min(1).max(500).describe("relative to the skill's folder"),
      }),
      execute: async (input, context) =>
        describeRead(await runtime.readResource(conversationOf(context), input.name, input.path)),
      errorFunction: errorForModel,
    }),
  ]
  if (runtime.scriptsEnabled) {
    tools.push(
      tool({
        name: 'run_skill_script',
        description:
          "Run one of a skill's scripts (e.g. scripts/check.sh) in a sandbox with no network. " +
          "It works in this conversation's workspace folder, where files it writes stay for the " +
          'next script (the hand-off between skills).',
        parameters: z.object({
          name,
          script: z.string().min(1).max(500).describe("relative to the skill's folder"),
          args: z
            .array(z.string().max(4000))
            .max(32)
            .describe('command-line arguments; [] for none'),
        }),
        execute: async (input, context) =>
          describeRun(
            await runtime.runScript(conversationOf(context), input.name, input.script, input.args),
          ),
        errorFunction: errorForModel,
      }),
    )
  }
  return tools
}

function conversationOf(context: RunContext<SkillToolContext> | undefined): string {
  const id = context?.context?.conversationId
  if (typeof id !== 'string') {
    throw new InternalError('internal', 'skill tools need a run context with a conversationId')
  }
  return id
}

function describeActivation(activation: Activation): string {
  const files =
    activation.resources.length === 0
      ? 'This skill has no other files.'
      : `Files of this skill (read_skill_resource, paths relative to the skill): ${activation.resources.join(', ')}`
  if (!activation.loaded) {
    return (
      `The skill "${activation.name}" is already active in this conversation: its instructions ` +
      `are earlier in the conversation; follow them. ${files}`
    )
  }
  return `<skill name="${activation.name}">\n${activation.instructions}\n</skill>\n${files}`
}

function describeRead(read: ResourceRead): string {
  const note = read.truncated
    ? `\n[truncated: the first ${Buffer.byteLength(read.text)} of ${read.bytes} bytes]`
    : ''
  return `<file skill="${read.name}" path="${read.path}">\n${read.text}\n</file>${note}`
}

function describeRun(run: ScriptRun): string {
  const status =
    run.killed === 'timeout'
      ? 'stopped: it ran past its time limit'
      : run.killed === 'cpu'
        ? 'stopped: it used up its CPU time limit'
        : run.killed === 'output'
          ? 'stopped: it printed more than the output limit'
          : `exit code ${run.exitCode}`
  const truncated = run.truncated ? '\n[output truncated at the limit]' : ''
  return `${run.script}: ${status}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}${truncated}`
}

/**
 * What the model is told when a skill tool fails: our own words for what it can act on (a bad
 * path, an unknown skill, scripts off, no sandbox), nothing internal otherwise.
 */
export function errorForModel(_context: unknown, error: unknown): string {
  if (
    error instanceof FteError &&
    (error.fault === 'caller' || error.code === 'sandbox_unavailable')
  ) {
    return `Error: ${error.message}`
  }
  return 'Error: the skill tool failed. Do not guess what the skill says; tell the user you cannot do this right now.'
}
