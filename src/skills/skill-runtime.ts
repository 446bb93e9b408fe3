import { mkdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { recorderOn, writeAudit } from '../audit/audit-writer.ts'
import { audited, type CapabilityCall, type InvocationRecorder } from '../audit/audited.ts'
import { countTokens } from '../embedding/tokenizer.ts'
import { CallerError, InternalError, InvalidInputError } from '../lib/errors.ts'
import type { JsonObject } from '../lib/json.ts'
import type { Database } from '../store/database.ts'
import type { Skill, SkillLibrary } from './discover-skills.ts'
import { catalogText } from './skill-catalog.ts'
import { listSkillFiles, readCapped, resolveInside } from './skill-files.ts'
import { parseSkillMarkdown } from './skill-md.ts'
import type { Sandbox, ScriptResult } from './skill-sandbox.ts'

export interface SkillRuntimeOptions {
  library: SkillLibrary
  /** Where activations and skill invocations are audited: the agent side's own pool. */
  db: Database
  /** Who the audit rows name, e.g. `worker:support`. */
  actor: string
  /** A resource read returns at most this many bytes. */
  maxResourceBytes: number
  /** Per-conversation workspaces are made under it. */
  workspaceRoot: string
  /** Undefined: scripts are off (the default), and run_skill_script refuses. */
  sandbox: Sandbox | undefined
  /** Script arguments: how many, and how long each. */
  maxArgs?: number
}

export interface Activation {
  name: string
  /** False when the skill was already active in this conversation: nothing was reloaded. */
  loaded: boolean
  /** The SKILL.md body (empty when not reloaded). */
  instructions: string
  /** Files of the skill, relative to its folder, for read_skill_resource / run_skill_script. */
  resources: string[]
  tokens: number
}

export interface ResourceRead {
  name: string
  path: string
  text: string
  bytes: number
  truncated: boolean
}

export interface ScriptRun extends ScriptResult {
  name: string
  script: string
}

/** Asked for something the library does not have; says what it has. */
export class SkillNotFoundError extends CallerError {
  constructor(name: string, known: readonly string[]) {
    super(
      'skill_not_found',
      `no skill named "${name.slice(0, 80)}"; known skills: ${known.join(', ') || 'none'}`,
    )
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Progressive disclosure, audited: the catalog up front, a skill's body on activation (once per
 * conversation), its files on demand, its scripts only in the sandbox. Every activation writes
 * `skill_activated`, every read or run a `skill:<name>` invocation; if the audit cannot be written
 * the call fails, so nothing reaches the model unrecorded.
 */
export class SkillRuntime {
  readonly library: SkillLibrary
  readonly #options: SkillRuntimeOptions
  readonly #recorder: InvocationRecorder
  /** Activations under way, so parallel calls in one turn do not both load; emptied as they end. */
  readonly #inFlight = new Map<string, Promise<Activation>>()

  constructor(options: SkillRuntimeOptions) {
    this.library = options.library
    this.#options = options
    this.#recorder = recorderOn(options.db)
  }

  get scriptsEnabled(): boolean {
    return this.#options.sandbox !== undefined
  }

  /** Names and descriptions for the agent's instructions. */
  catalog(): string {
    return catalogText(this.library.skills)
  }

  async activate(conversationId: string, name: string): Promise<Activation> {
    checkConversation(conversationId)
    const skill = this.#skill(name)
    const key = `${conversationId}\0${skill.name}`
    const pending = this.#inFlight.get(key)
    if (pending !== undefined) {
      return { ...(await pending), loaded: false, instructions: '', tokens: 0 }
    }
    const work = this.#load(conversationId, skill)
    this.#inFlight.set(key, work)
    try {
      return await work
    } finally {
      this.#inFlight.delete(key)
    }
  }

  /** The body, unless the audit log shows the skill already active in this conversation. */
  async #load(conversationId: string, skill: Skill): Promise<Activation> {
    const resources = await listSkillFiles(skill.realDir)
    if (await this.#activatedBefore(conversationId, skill.name)) {
      return { name: skill.name, loaded: false, instructions: '', resources, tokens: 0 }
    }
    const body = parseSkillMarkdown(await readFile(skill.file, 'utf8')).body.trim()
    const tokens = countTokens(body)
    await writeAudit(this.#options.db, {
      action: 'skill_activated',
      actor: this.#options.actor,
      conversationId,
      target: `skill:${skill.name}`,
      payload: {
        skill: skill.name,
        source: skill.root.level,
        body_tokens: tokens,
        body_bytes: Buffer.byteLength(body),
      },
    })
    return { name: skill.name, loaded: true, instructions: body, resources, tokens }
  }

  async readResource(conversationId: string, name: string, path: string): Promise<ResourceRead> {
    checkConversation(conversationId)
    const skill = this.#skill(name)
    const call = this.#call(conversationId, skill, { tool: 'read_skill_resource', path })
    return audited(
      this.#recorder,
      call,
      async () => {
        const real = await resolveInside(skill.realDir, path)
        const read = await readCapped(real, this.#options.maxResourceBytes)
        return { name: skill.name, path, ...read }
      },
      { recordedResult: (read) => ({ bytes: read.bytes, truncated: read.truncated }) },
    )
  }

  async runScript(
    conversationId: string,
    name: string,
    script: string,
    args: readonly string[],
  ): Promise<ScriptRun> {
    checkConversation(conversationId)
    const skill = this.#skill(name)
    const call = this.#call(conversationId, skill, {
      tool: 'run_skill_script',
      script,
      args: [...args],
    })
    return audited(
      this.#recorder,
      call,
      async () => {
        const sandbox = this.#options.sandbox
        if (sandbox === undefined) {
          throw new CallerError(
            'skill_scripts_disabled',
            'skill scripts are off; an operator can turn them on with SKILL_SCRIPTS=true',
          )
        }
        checkArgs(args, this.#options.maxArgs ?? 32)
        const real = await resolveInside(skill.realDir, script)
        const result = await sandbox.run({
          skillDir: skill.realDir,
          script: relative(skill.realDir, real).split(sep).join('/'),
          args,
          workspace: await this.workspace(conversationId),
        })
        return { name: skill.name, script, ...result }
      },
      {
        recordedResult: (run) => ({
          exit_code: run.exitCode,
          killed: run.killed ?? null,
          truncated: run.truncated,
          stdout_bytes: Buffer.byteLength(run.stdout),
          stderr_bytes: Buffer.byteLength(run.stderr),
        }),
        statusOf: (run) =>
          run.killed === 'timeout' || run.killed === 'cpu'
            ? 'timeout'
            : run.exitCode === 0 && run.killed === undefined
              ? 'ok'
              : 'error',
      },
    )
  }

  /** The conversation's workspace folder, made on first use: the hand-off between skills. */
  async workspace(conversationId: string): Promise<string> {
    checkConversation(conversationId)
    const dir = join(this.#options.workspaceRoot, conversationId)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    return dir
  }

  #skill(name: string): Skill {
    const skill = this.library.get(name)
    if (skill === undefined) {
      throw new SkillNotFoundError(
        name,
        this.library.skills.map((s) => s.name),
      )
    }
    return skill
  }

  async #activatedBefore(conversationId: string, name: string): Promise<boolean> {
    const { rows } = await this.#options.db.query(
      `SELECT 1 FROM audit_log
       WHERE conversation_id = $1 AND action = 'skill_activated' AND target = $2 LIMIT 1`,
      [conversationId, `skill:${name}`],
    )
    return rows.length > 0
  }

  /** A read or run of `skill`, as its invocation row names it. */
  #call(conversationId: string, skill: Skill, args: JsonObject): CapabilityCall {
    return {
      capability: `skill:${skill.name}`,
      actor: this.#options.actor,
      conversationId,
      arguments: args,
    }
  }
}

function checkConversation(conversationId: string): void {
  if (!UUID.test(conversationId)) {
    throw new InternalError('invalid_input', 'the conversation id must be a lowercase UUID')
  }
}

function checkArgs(args: readonly string[], max: number): void {
  if (args.length > max) {
    throw new InvalidInputError(`at most ${max} script arguments`)
  }
  for (const arg of args) {
    if (arg.length > 4000 || arg.includes('\0')) {
      throw new InvalidInputError('a script argument is longer than 4000 characters')
    }
  }
}
