import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { startConversations } from '../../test/support/conversation-fixture.ts'
import { skillText, tempDir, writeSkill } from '../../test/support/skill-fixtures.ts'
import { describeEachDatabase, type TestDatabase } from '../../test/support/test-databases.ts'
import { discoverSkills } from './discover-skills.ts'
import { SkillRuntime } from './skill-runtime.ts'

const CONVERSATION = '0b5c4a52-8f3e-4d2a-9c61-6a7e1f0d2b13'
const OTHER_CONVERSATION = '7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f'

describeEachDatabase('SkillRuntime: progressive disclosure, audited', (target) => {
  let db: TestDatabase
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let runtime: SkillRuntime
  let skillDir: string

  beforeEach(async () => {
    db = await target.open('fixture')
    tmp = await tempDir()
    const root = join(tmp.dir, 'skills')
    skillDir = await writeSkill(
      root,
      'report',
      skillText(
        'report',
        'Writes a report. Use when asked for one.',
        '1. Read references/style.md.\n',
      ),
      {
        'references/style.md': '# Style\nShort sentences.\n',
        'references/big.md': 'x'.repeat(5000),
        'assets/logo.bin': 'PNG\0\0binary',
      },
    )
    // A sibling whose name starts with the skill's: `report-secrets` must count as outside `report`.
    await writeSkill(root, 'report-secrets', skillText('report-secrets', 'Other.'), {
      'token.txt': 'sibling secret',
    })
    await writeFile(join(tmp.dir, 'outside.txt'), 'host secret')
    await symlink(join(tmp.dir, 'outside.txt'), join(skillDir, 'references', 'escape.md'))
    await symlink(
      join(skillDir, 'references', 'style.md'),
      join(skillDir, 'references', 'alias.md'),
    )
    // Its real path starts with the skill folder's path as a string: only a segment-wise test refuses it.
    await symlink(
      join(root, 'report-secrets', 'token.txt'),
      join(skillDir, 'references', 'neighbour.md'),
    )
    await startConversations(db, CONVERSATION, OTHER_CONVERSATION)
    runtime = new SkillRuntime({
      library: await discoverSkills([{ dir: root, level: 'project' }]),
      db,
      actor: 'worker:test',
      maxResourceBytes: 1000,
      workspaceRoot: join(tmp.dir, 'workspaces'),
      sandbox: undefined,
    })
  })
  afterEach(async () => {
    await db.close()
    await tmp.remove()
  })

  const auditRows = async () =>
    (
      await db.query<{ action: string; target: string; conversation_id: string; payload: unknown }>(
        `SELECT action, target, conversation_id, payload FROM audit_log ORDER BY id`,
      )
    ).rows

  it('offers a catalog of names and descriptions only', () => {
    expect(runtime.catalog()).toContain('- report: Writes a report. Use when asked for one.')
    expect(runtime.catalog()).not.toContain('Read references/style.md')
  })

  it('activates a skill with its body and its files, and writes skill_activated', async () => {
    const activation = await runtime.activate(CONVERSATION, 'report')
    expect(activation).toMatchObject({
      name: 'report',
      loaded: true,
      instructions: '# report\n\n1. Read references/style.md.',
    })
    expect(activation.resources).toEqual([
      'assets/logo.bin',
      'references/big.md',
      'references/style.md',
    ])
    expect(activation.tokens).toBeGreaterThan(5)
    expect(await auditRows()).toEqual([
      {
        action: 'skill_activated',
        target: 'skill:report',
        conversation_id: CONVERSATION,
        payload: {
          skill: 'report',
          source: 'project',
          body_tokens: activation.tokens,
          body_bytes: Buffer.byteLength(activation.instructions),
        },
      },
    ])
  })

  it('does not reload a skill already active in the conversation, even from a new process', async () => {
    await runtime.activate(CONVERSATION, 'report')
    const again = await runtime.activate(CONVERSATION, 'report')
    expect(again).toMatchObject({ loaded: false, instructions: '' })
    const restarted = new SkillRuntime({
      library: runtime.library,
      db,
      actor: 'worker:test',
      maxResourceBytes: 1000,
      workspaceRoot: join(tmp.dir, 'workspaces'),
      sandbox: undefined,
    })
    expect((await restarted.activate(CONVERSATION, 'report')).loaded).toBe(false)
    expect((await runtime.activate(OTHER_CONVERSATION, 'report')).loaded).toBe(true)
    expect((await auditRows()).map((r) => r.conversation_id)).toEqual([
      CONVERSATION,
      OTHER_CONVERSATION,
    ])
  })

  it('loads a skill once when one turn activates it twice at the same time', async () => {
    const both = await Promise.all([
      runtime.activate(CONVERSATION, 'report'),
      runtime.activate(CONVERSATION, 'report'),
    ])
    expect(both.map((a) => a.loaded).sort()).toEqual([false, true])
    expect(await auditRows()).toHaveLength(1)
  })

  it('refuses an unknown skill, naming the known ones, and audits nothing', async () => {
    await expect(runtime.activate(CONVERSATION, 'nope')).rejects.toThrow(
      'no skill named "nope"; known skills: report, report-secrets',
    )
    expect(await auditRows()).toEqual([])
  })

  it('reads a file of the skill, and records a skill:<name> invocation', async () => {
    const read = await runtime.readResource(CONVERSATION, 'report', 'references/style.md')
    expect(read).toMatchObject({ text: '# Style\nShort sentences.\n', truncated: false })
    const { rows } = await db.query(
      `SELECT capability, status, arguments, result, conversation_id FROM capability_invocations`,
    )
    expect(rows).toEqual([
      {
        capability: 'skill:report',
        status: 'ok',
        arguments: { tool: 'read_skill_resource', path: 'references/style.md' },
        result: { bytes: 25, truncated: false },
        conversation_id: CONVERSATION,
      },
    ])
    expect((await auditRows()).map((r) => [r.action, r.target])).toEqual([
      ['capability_invoked', 'skill:report'],
    ])
  })

  it('follows a symlink that stays inside the skill folder', async () => {
    const read = await runtime.readResource(CONVERSATION, 'report', 'references/alias.md')
    expect(read.text).toBe('# Style\nShort sentences.\n')
  })

  it('caps a read at the configured size and says so', async () => {
    const read = await runtime.readResource(CONVERSATION, 'report', 'references/big.md')
    expect(read).toMatchObject({ bytes: 5000, truncated: true })
    expect(read.text).toHaveLength(1000)
  })

  it.each([
    [
      'a path climbing out with ..',
      'references/../../outside.txt',
      'climbs out of the skill folder',
    ],
    [
      'the classic traversal',
      'references/../../../../etc/passwd',
      'climbs out of the skill folder',
    ],
    ['an absolute path', '/etc/passwd', 'is absolute'],
    ['a sibling folder sharing the prefix', '../report-secrets/token.txt', 'climbs out'],
    [
      'a link into the sibling-prefix folder',
      'references/neighbour.md',
      'leads outside the skill folder',
    ],
    ['a symlink leading out', 'references/escape.md', 'leads outside the skill folder'],
    ['a missing file', 'references/none.md', 'does not exist in this skill'],
    ['a binary file', 'assets/logo.bin', 'only text files'],
    ['a folder', 'references', 'not a file'],
  ])('refuses %s, and records the refusal as an error', async (_, path, message) => {
    await expect(runtime.readResource(CONVERSATION, 'report', path)).rejects.toThrow(message)
    const { rows } = await db.query<{ status: string; result: { error: string } }>(
      `SELECT status, result FROM capability_invocations`,
    )
    expect(rows).toEqual([
      { status: 'error', result: expect.objectContaining({ error: 'skill_path_refused' }) },
    ])
  })

  it('refuses a sibling-prefix folder reached by its own absolute path', async () => {
    await expect(
      runtime.readResource(
        CONVERSATION,
        'report',
        join(skillDir, '..', 'report-secrets', 'token.txt'),
      ),
    ).rejects.toThrow('is absolute')
  })

  it('refuses to run scripts while they are off, and records the attempt', async () => {
    await mkdir(join(skillDir, 'scripts'))
    await writeFile(join(skillDir, 'scripts', 'go.sh'), 'echo hi > /workspace/ran\n')
    expect(runtime.scriptsEnabled).toBe(false)
    await expect(runtime.runScript(CONVERSATION, 'report', 'scripts/go.sh', [])).rejects.toThrow(
      'skill scripts are off; an operator can turn them on with SKILL_SCRIPTS=true',
    )
    const { rows } = await db.query(`SELECT status, arguments FROM capability_invocations`)
    expect(rows).toEqual([
      {
        status: 'error',
        arguments: { tool: 'run_skill_script', script: 'scripts/go.sh', args: [] },
      },
    ])
  })

  it('fails closed when the audit cannot be written: nothing is returned unrecorded', async () => {
    await db.query('DROP TABLE capability_invocations CASCADE')
    await expect(
      runtime.readResource(CONVERSATION, 'report', 'references/style.md'),
    ).rejects.toThrow()
    await db.query('ALTER TABLE audit_log RENAME TO audit_log_gone')
    await expect(runtime.activate(CONVERSATION, 'report')).rejects.toThrow()
  })

  it('gives each conversation its own workspace folder', async () => {
    const a = await runtime.workspace(CONVERSATION)
    const b = await runtime.workspace(OTHER_CONVERSATION)
    expect(a).toBe(join(tmp.dir, 'workspaces', CONVERSATION))
    expect(b).not.toBe(a)
    await expect(runtime.workspace('../../etc')).rejects.toThrow('must be a lowercase UUID')
  })
})
