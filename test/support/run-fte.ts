import { tmpdir } from 'node:os'
import type { CliContext } from '../../src/cli/cli-context.ts'
import { runCli } from '../../src/cli/run-cli.ts'
import { Capture } from './capture.ts'

export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** `fte <args>` in this process, as the command line runs it, with its output captured. */
export async function fte(
  args: string[],
  env: Record<string, string> = {},
  cwd = tmpdir(),
): Promise<Run> {
  const stdout = new Capture()
  const stderr = new Capture()
  const context: CliContext = { env: { LOG_LEVEL: 'warn', ...env }, cwd, stdout, stderr }
  const code = await runCli(args, context)
  return { code, stdout: stdout.text, stderr: stderr.text }
}
