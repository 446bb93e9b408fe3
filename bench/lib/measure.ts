import { spawn } from 'node:child_process'

export interface Sample {
  /** Milliseconds per run, one entry per repetition. */
  runsMs: number[]
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2
}

/** The nearest-rank percentile `p` (0-1) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
}

/** Wall time of a child process from spawn to exit; rejects when it fails. */
export function timeProcess(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) resolve(performance.now() - started)
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))
    })
  })
}

/** Runs `op` `count` times in sequence after `warmup` unmeasured runs; returns operations/second. */
export async function throughput(
  op: (i: number) => Promise<unknown>,
  count: number,
  warmup = Math.ceil(count / 10),
): Promise<number> {
  for (let i = 0; i < warmup; i++) await op(-1 - i)
  const started = performance.now()
  for (let i = 0; i < count; i++) await op(i)
  return count / ((performance.now() - started) / 1000)
}
