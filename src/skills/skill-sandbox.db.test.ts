import { existsSync } from 'node:fs'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { startConversations } from '../../test/support/conversation-fixture.ts'
import { skillText, tempDir, writeSkill } from '../../test/support/skill-fixtures.ts'
import { pgliteTarget, type TestDatabase } from '../../test/support/test-databases.ts'
import { discoverSkills } from './discover-skills.ts'
import { SkillRuntime } from './skill-runtime.ts'
import { createSandbox, type SandboxLimits, SandboxUnavailableError } from './skill-sandbox.ts'

const CONVERSATION = '3c9d7e21-5b4a-4f6e-8d2c-1a0b9c8d7e6f'
const LIMITS: SandboxLimits = {
  timeoutMs: 10_000,
  cpuSeconds: 1,
  memoryBytes: 256 * 1024 * 1024,
  outputBytes: 64 * 1024,
  fileBytes: 1024 * 1024,
}

const SCRIPTS = {
  'scripts/write.sh': 'printf "%s" "$1" > /workspace/handoff.md\necho wrote "$1"\n',
  'scripts/read.sh': 'cat /workspace/handoff.md\n',
  'scripts/env.sh': 'env\n',
  'scripts/touch-skill.sh': 'echo x > /skill/new.txt\n',
  'scripts/host.sh': 'ls /root /work /home 2>&1; cat /etc/passwd 2>&1; echo done\n',
  'scripts/socket.bash': 'exec 3<>"/dev/tcp/127.0.0.1/$1" && echo connected || echo refused\n',
  'scripts/loop.sh': 'while :; do :; done\n',
  'scripts/sleep.sh': 'sleep 30\n',
  // Doubles a string 29 times: 512 MB, twice the memory limit.
  'scripts/memory.sh':
    'awk \'BEGIN { s = "x"; for (i = 0; i < 29; i++) s = s s; print length(s) }\'\n',
  'scripts/flood.sh': "head -c 52428800 /dev/zero | tr '\\0' a\n",
}

let db: TestDatabase
let tmp: Awaited<ReturnType<typeof tempDir>>
let root: string

beforeEach(async () => {
  db = await pgliteTarget.open('fixture')
  await startConversations(db, CONVERSATION)
  tmp = await tempDir()
  root = join(tmp.dir, 'skills')
  await writeSkill(root, 'tools', skillText('tools', 'Runs tools.'), SCRIPTS)
})
afterEach(async () => {
  await db.close()
  await tmp.remove()
})

async function runtimeWith(limits: Partial<SandboxLimits> = {}, bwrap = 'bwrap') {
  return new SkillRuntime({
    library: await discoverSkills([{ dir: root, level: 'project' }]),
    db,
    actor: 'worker:test',
    maxResourceBytes: 10_000,
    workspaceRoot: join(tmp.dir, 'workspaces'),
    sandbox: createSandbox({ bwrap, limits: { ...LIMITS, ...limits } }),
  })
}

describe.skipIf(!inject('sandboxAvailable'))('run_skill_script inside bubblewrap', () => {
  it('runs a script with arguments and hands files to the next one through the workspace', async () => {
    const runtime = await runtimeWith()
    const wrote = await runtime.runScript(CONVERSATION, 'tools', 'scripts/write.sh', ['draft v1'])
    expect(wrote).toMatchObject({ exitCode: 0, stdout: 'wrote draft v1\n', killed: undefined })
    const read = await runtime.runScript(CONVERSATION, 'tools', 'scripts/read.sh', [])
    expect(read.stdout).toBe('draft v1')
    expect(await readFile(join(tmp.dir, 'workspaces', CONVERSATION, 'handoff.md'), 'utf8')).toBe(
      'draft v1',
    )
    const { rows } = await db.query(
      `SELECT capability, status, arguments, result FROM capability_invocations ORDER BY created_at`,
    )
    expect(rows[0]).toEqual({
      capability: 'skill:tools',
      status: 'ok',
      arguments: { tool: 'run_skill_script', script: 'scripts/write.sh', args: ['draft v1'] },
      result: {
        exit_code: 0,
        killed: null,
        truncated: false,
        stdout_bytes: 15,
        stderr_bytes: 0,
      },
    })
  })

  it('gives the script an empty environment: none of the host process variables', async () => {
    process.env.FTE_SANDBOX_CANARY = 'canary-secret-value'
    try {
      const run = await (await runtimeWith()).runScript(CONVERSATION, 'tools', 'scripts/env.sh', [])
      expect(run.stdout).not.toContain('canary-secret-value')
      const names = run.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('=')[0])
      expect(new Set(names)).toEqual(new Set(['PATH', 'LANG', 'HOME', 'PWD']))
    } finally {
      delete process.env.FTE_SANDBOX_CANARY
    }
  })

  it('mounts the skill read-only and shows nothing of the host beyond /usr', async () => {
    const runtime = await runtimeWith()
    const touch = await runtime.runScript(CONVERSATION, 'tools', 'scripts/touch-skill.sh', [])
    expect(touch.exitCode).not.toBe(0)
    expect(touch.stderr).toContain('Read-only file system')
    expect(existsSync(join(root, 'tools', 'new.txt'))).toBe(false)
    const host = await runtime.runScript(CONVERSATION, 'tools', 'scripts/host.sh', [])
    expect(host.stdout).toContain("ls: cannot access '/root'")
    expect(host.stdout).toContain("ls: cannot access '/work'")
    expect(host.stdout).toContain('cat: /etc/passwd: No such file or directory')
  })

  it('has no network: a listening port on the host loopback is never reached', async () => {
    let connections = 0
    const server = createServer(() => {
      connections++
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      const run = await (await runtimeWith()).runScript(
        CONVERSATION,
        'tools',
        'scripts/socket.bash',
        [String(port)],
      )
      expect(run.stdout).toBe('refused\n')
      expect(connections).toBe(0)
    } finally {
      server.close()
    }
  })

  it('kills a busy loop at its CPU limit, and records a timeout', async () => {
    const run = await (await runtimeWith({ cpuSeconds: 1 })).runScript(
      CONVERSATION,
      'tools',
      'scripts/loop.sh',
      [],
    )
    expect(run.killed).toBe('cpu')
    const { rows } = await db.query(`SELECT status FROM capability_invocations`)
    expect(rows).toEqual([{ status: 'timeout' }])
  })

  it('kills a script that outlives its wall-clock limit', async () => {
    const run = await (await runtimeWith({ timeoutMs: 500 })).runScript(
      CONVERSATION,
      'tools',
      'scripts/sleep.sh',
      [],
    )
    expect(run.killed).toBe('timeout')
    expect(run.durationMs).toBeLessThan(10_000)
  })

  it('stops a script printing 50 MB at the output limit and keeps only that much', async () => {
    const run = await (await runtimeWith()).runScript(CONVERSATION, 'tools', 'scripts/flood.sh', [])
    expect(run).toMatchObject({ killed: 'output', truncated: true })
    expect(run.stdout.length).toBe(LIMITS.outputBytes)
    expect(run.stdout).toMatch(/^a+$/)
  })

  it('refuses memory beyond its limit', async () => {
    // Copying strings up to the limit takes CPU time: on a busy machine more than a second, so the
    // CPU limit here is generous enough that only memory can stop the script.
    const run = await (await runtimeWith({ cpuSeconds: 60 })).runScript(
      CONVERSATION,
      'tools',
      'scripts/memory.sh',
      [],
    )
    expect(run.exitCode).not.toBe(0)
    expect(run.stderr).toContain('out of memory')
    expect(run.stdout).toBe('')
  })

  it('runs only files inside the skill', async () => {
    const runtime = await runtimeWith()
    await expect(runtime.runScript(CONVERSATION, 'tools', '../../outside.sh', [])).rejects.toThrow(
      'climbs out of the skill folder',
    )
  })
})

describe('when the sandbox cannot start', () => {
  const missing = '/nonexistent/bin/bwrap'

  it('fails with a clear error and never runs the script outside it', async () => {
    const runtime = await runtimeWith({}, missing)
    await expect(
      runtime.runScript(CONVERSATION, 'tools', 'scripts/write.sh', ['unsandboxed']),
    ).rejects.toThrow(
      /skill scripts run only inside a bubblewrap sandbox, and it cannot start: \/nonexistent\/bin\/bwrap was not found\. Install Debian's bubblewrap/,
    )
    expect(existsSync(join(tmp.dir, 'workspaces', CONVERSATION, 'handoff.md'))).toBe(false)
    const { rows } = await db.query<{ status: string; result: { error: string } }>(
      `SELECT status, result FROM capability_invocations`,
    )
    expect(rows).toEqual([
      { status: 'error', result: expect.objectContaining({ error: 'sandbox_unavailable' }) },
    ])
  })

  it('says what bubblewrap said when it exists but cannot make namespaces', async () => {
    const fake = join(tmp.dir, 'bwrap')
    await writeFile(
      fake,
      '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n',
    )
    await chmod(fake, 0o755)
    const sandbox = createSandbox({ bwrap: fake, limits: LIMITS })
    await expect(sandbox.check()).rejects.toBeInstanceOf(SandboxUnavailableError)
    await expect(sandbox.check()).rejects.toThrow('No permissions to create new namespace')
  })
})
