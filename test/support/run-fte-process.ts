import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { Run } from './run-fte.ts'

/**
 * `fte <args>` as a process of its own, as a shell runs it: for what only a real process shows (its
 * exit, that it ends at all, another process holding the database). Killed after `timeoutMs`, and
 * then `code` is null.
 */
export function fteProcess(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number; stdin?: string } = {},
): Promise<Omit<Run, 'code'> & { code: number | null; ms: number }> {
  const started = Date.now()
  const child = spawn(process.execPath, [join(packageRoot(), 'src', 'cli', 'main.ts'), ...args], {
    cwd: options.cwd ?? packageRoot(),
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  child.stdin.end(options.stdin ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  return new Promise((done) => {
    child.once('close', (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
}
