import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { packageRoot } from '../../src/lib/package-root.ts'
import { waitFor } from './ports.ts'

const MAIN = `${packageRoot()}/src/cli/main.ts`

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
  /** How long it ran, start to exit. */
  ms: number
}

export interface SubprocessOptions {
  /** The whole environment: nothing of the test's own leaks in (a DATABASE_URL, a LOG_LEVEL). */
  env: Record<string, string>
  cwd: string
  /** Typed into its stdin, which then closes. */
  input?: string
  /** Killed after this long (then `code` is null): for a check that it ends at all. */
  timeoutMs?: number
}

function started(args: readonly string[], options: SubprocessOptions) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: options.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString()
  })
  child.stdin.end(options.input ?? '')
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  return { child, output, exited }
}

/** `fte <args>` as a process of its own, as a person runs it in another terminal. */
export async function fteProcess(
  args: readonly string[],
  options: SubprocessOptions,
): Promise<Finished> {
  const begun = Date.now()
  const { child, output, exited } = started(args, options)
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
  const code = await exited
  clearTimeout(timer)
  return { code, ...output, ms: Date.now() - begun }
}

/** `fte serve` as a process of its own, listening. */
export interface ServeProcess {
  url: string
  child: ChildProcess
  output(): { stdout: string; stderr: string }
  /** Ctrl-C, and its exit code. */
  interrupt(): Promise<number | null>
}

/** Starts `fte serve <args>` and resolves once its banner says where it serves. */
export async function serveProcess(
  args: readonly string[],
  options: SubprocessOptions,
): Promise<ServeProcess> {
  const { child, output, exited } = started(['serve', ...args], options)
  const url = await waitFor(() => {
    if (child.exitCode !== null) {
      throw new Error(`fte serve exited with ${child.exitCode}:\n${output.stderr}`)
    }
    return /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)?.[1]
  }, 'fte serve to listen')
  return {
    url,
    child,
    output: () => ({ ...output }),
    interrupt: () => {
      if (child.exitCode === null) child.kill('SIGINT')
      return exited
    },
  }
}
