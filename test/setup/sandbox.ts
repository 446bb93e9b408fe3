import type { TestProject } from 'vitest/node'
import { createSandbox } from '../../src/skills/skill-sandbox.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** bubblewrap can start a sandbox on this machine (the skill script suite needs it). */
    sandboxAvailable: boolean
  }
}

const PROBE_LIMITS = {
  timeoutMs: 10_000,
  cpuSeconds: 5,
  memoryBytes: 256 * 1024 * 1024,
  outputBytes: 4096,
  fileBytes: 1024 * 1024,
}

/** Whether bubblewrap starts here, asked once per run; the sandbox suite is skipped, loudly, if not. */
export default async function setup(project: TestProject): Promise<() => void> {
  const reason = await createSandbox({ bwrap: 'bwrap', limits: PROBE_LIMITS })
    .check()
    .then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    )
  const notice =
    '\nbubblewrap cannot start a sandbox here: the skill-script sandbox suite is SKIPPED.\n' +
    `(${reason})\n.ci/run installs it (apt-get install bubblewrap).\n\n`
  if (reason !== undefined) process.stdout.write(notice)
  project.provide('sandboxAvailable', reason === undefined)
  // Said again at the end, where the skipped count is, so it does not scroll away.
  return () => {
    if (reason !== undefined) process.stdout.write(notice)
  }
}
