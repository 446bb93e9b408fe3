import { spawn } from 'node:child_process'
import { extname } from 'node:path'
import { SystemError } from '../lib/errors.ts'

/** What a script may use before it is stopped. */
export interface SandboxLimits {
  /** Wall-clock time; the script is killed at it. */
  timeoutMs: number
  /** CPU time (RLIMIT_CPU): a busy loop ends here even when the wall clock is generous. */
  cpuSeconds: number
  /** Address space (RLIMIT_AS). */
  memoryBytes: number
  /** stdout and stderr together; the script is killed when it writes more. */
  outputBytes: number
  /** The largest file it may write in the workspace (RLIMIT_FSIZE). */
  fileBytes: number
}

export interface SandboxOptions {
  /** The bubblewrap binary (Debian's `bubblewrap` package): `bwrap`, or a path. */
  bwrap: string
  limits: SandboxLimits
}

export interface ScriptRequest {
  /** The skill folder (real path), mounted read-only at /skill. */
  skillDir: string
  /** The script, relative to the skill folder, already checked to lie inside it. */
  script: string
  args: readonly string[]
  /** The conversation's workspace, mounted read-write at /workspace (the working directory). */
  workspace: string
}

export interface ScriptResult {
  exitCode: number | null
  stdout: string
  stderr: string
  /** Output beyond `outputBytes` was dropped. */
  truncated: boolean
  /** Why the sandbox stopped it, when it did. */
  killed: 'timeout' | 'cpu' | 'output' | undefined
  durationMs: number
}

/** The sandbox cannot start: never a reason to run a script without it. */
export class SandboxUnavailableError extends SystemError {
  constructor(reason: string) {
    super(
      'sandbox_unavailable',
      `skill scripts run only inside a bubblewrap sandbox, and it cannot start: ${reason}. ` +
        "Install Debian's bubblewrap package (apt-get install bubblewrap); in a container, " +
        'allow user namespaces. The script was not run.',
    )
  }
}

export interface Sandbox {
  /** Resolves when bubblewrap can start a sandbox here; rejects with SandboxUnavailableError. */
  check(): Promise<void>
  run(request: ScriptRequest): Promise<ScriptResult>
}

const INTERPRETERS: Readonly<Record<string, readonly string[]>> = {
  '.sh': ['/bin/sh'],
  '.bash': ['/bin/bash'],
  '.py': ['/usr/bin/python3'],
  '.js': ['/usr/bin/node'],
  '.mjs': ['/usr/bin/node'],
}

/**
 * Runs skill scripts in bubblewrap: every namespace unshared (no network: the sandbox has only a
 * loopback that is down), an unprivileged uid with no capabilities, an empty environment, the
 * system's /usr read-only, the skill folder read-only at /skill, the conversation's workspace
 * writable at /workspace, a private /tmp; CPU, memory and file size limited with prlimit, wall
 * time and output limited here.
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  let checked: Promise<void> | undefined
  const check = () => {
    checked ??= probe(options).catch((error: unknown) => {
      checked = undefined
      throw error
    })
    return checked
  }
  return {
    check,
    async run(request) {
      await check()
      const interpreter = INTERPRETERS[extname(request.script)] ?? []
      return execute(options, [
        ...mounts(request),
        ...limitsOf(options.limits),
        ...interpreter,
        `/skill/${request.script}`,
        ...request.args,
      ])
    },
  }
}

function mounts(request: ScriptRequest | undefined): string[] {
  const base = [
    '--unshare-all',
    '--unshare-user',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/local/bin:/usr/bin:/bin',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--ro-bind',
    '/usr',
    '/usr',
    ...['/bin', '/sbin', '/lib', '/lib64'].flatMap((dir) => ['--ro-bind-try', dir, dir]),
    '--ro-bind-try',
    '/etc/alternatives',
    '/etc/alternatives',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
  ]
  if (request === undefined) return base
  return [
    ...base,
    '--ro-bind',
    request.skillDir,
    '/skill',
    '--bind',
    request.workspace,
    '/workspace',
    '--setenv',
    'HOME',
    '/workspace',
    '--chdir',
    '/workspace',
  ]
}

function limitsOf(limits: SandboxLimits): string[] {
  return [
    '/usr/bin/prlimit',
    // soft < hard: SIGXCPU at the soft limit tells a CPU kill apart from any other SIGKILL
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--as=${limits.memoryBytes}`,
    `--fsize=${limits.fileBytes}`,
    '--nofile=256',
    '--',
  ]
}

const SIGXCPU_EXIT = 128 + 24

async function probe(options: SandboxOptions): Promise<void> {
  const result = await execute(options, [
    ...mounts(undefined),
    '/usr/bin/prlimit',
    '--',
    '/bin/true',
  ]).catch((error: unknown) => {
    throw error instanceof SandboxUnavailableError
      ? error
      : new SandboxUnavailableError(String(error))
  })
  if (result.exitCode !== 0) {
    const said = result.stderr.trim().split('\n')[0] ?? ''
    throw new SandboxUnavailableError(said === '' ? `bwrap exited with ${result.exitCode}` : said)
  }
}

function execute(options: SandboxOptions, args: readonly string[]): Promise<ScriptResult> {
  const { limits } = options
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(options.bwrap, args, { env: {}, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let total = 0
    let truncated = false
    let killed: ScriptResult['killed']
    const stop = (why: NonNullable<ScriptResult['killed']>) => {
      killed ??= why
      child.kill('SIGKILL')
    }
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      const room = limits.outputBytes - total
      if (room > 0) into.push(chunk.subarray(0, room))
      total += chunk.length
      if (total > limits.outputBytes) {
        truncated = true
        stop('output')
      }
    }
    child.stdout.on('data', collect(out))
    child.stderr.on('data', collect(err))
    const timer = setTimeout(() => stop('timeout'), limits.timeoutMs)
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(
        new SandboxUnavailableError(
          error.code === 'ENOENT' ? `${options.bwrap} was not found` : error.message,
        ),
      )
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (killed === undefined && code === SIGXCPU_EXIT) killed = 'cpu'
      resolve({
        exitCode: code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        truncated,
        killed,
        durationMs: performance.now() - started,
      })
    })
  })
}
