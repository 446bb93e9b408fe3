import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname

/**
 * One `fte` command as a process of its own, run by this Node.js (the project's), its output kept
 * in `logFile` for the operator reading a failed run.
 */
export class FteProcess {
  private child: ChildProcess | undefined
  private log: WriteStream | undefined
  private exited: Promise<unknown> = Promise.resolve()

  readonly name: string
  private readonly args: readonly string[]
  private readonly env: Record<string, string>
  private readonly logFile: string
  /** An address that answers 200 once the process is ready. */
  private readonly readyUrl: string

  constructor(
    name: string,
    args: readonly string[],
    env: Record<string, string>,
    logFile: string,
    readyUrl: string,
  ) {
    this.name = name
    this.args = args
    this.env = env
    this.logFile = logFile
    this.readyUrl = readyUrl
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Starts it (again, after a stop or a kill) and waits until it is ready. */
  async start(limitMs = 120_000): Promise<void> {
    this.log?.end()
    this.log = createWriteStream(this.logFile, { flags: 'a' })
    const child = spawn(process.execPath, [MAIN, ...this.args], {
      env: { ...process.env, LOG_FORMAT: 'json', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    child.stdout?.pipe(this.log, { end: false })
    child.stderr?.pipe(this.log, { end: false })
    this.exited = once(child, 'exit')
    const deadline = Date.now() + limitMs
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(
          `${this.name} exited with ${child.exitCode} while starting (see ${this.logFile})`,
        )
      }
      const ok = await fetch(this.readyUrl, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.ok)
        .catch(() => false)
      if (ok) return
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${limitMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** `kill -9`: no shutdown, no flush, connections cut mid-request. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL')
    await this.exited
  }

  /** `kill -9` without waiting, for a process about to exit. */
  killNow(): void {
    if (this.child !== undefined && this.child.exitCode === null) this.child.kill('SIGKILL')
  }

  /** Ctrl-C: the server finishes what it is doing and closes. */
  async stop(): Promise<void> {
    if (this.child !== undefined && this.child.exitCode === null) this.child.kill('SIGINT')
    await this.exited
    this.log?.end()
  }
}
