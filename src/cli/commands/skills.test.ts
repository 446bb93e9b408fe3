import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { skillText, tempProject, writeSkill } from '../../../test/support/skill-fixtures.ts'
import { packageRoot } from '../../lib/package-root.ts'
import { runCli } from '../run-cli.ts'

let tmp: Awaited<ReturnType<typeof tempProject>>
let project: string
let home: string

beforeEach(async () => {
  tmp = await tempProject()
  ;({ project, home } = tmp)
})
afterEach(() => tmp.remove())

async function fte(args: string[], env: Record<string, string> = {}) {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await runCli(args, {
    env: { LOG_LEVEL: 'warn', HOME: home, FTE_DATA_DIR: join(tmp.dir, 'data'), ...env },
    cwd: project,
    stdout,
    stderr,
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

describe('fte skills validate', () => {
  it('passes the shipped skills', async () => {
    const run = await fte(['skills', 'validate', join(packageRoot(), '.claude', 'skills')])
    expect(run).toMatchObject({
      code: 0,
      stdout: '4 skills checked: 4 valid, 0 with errors (0 errors, 0 warnings).\n',
    })
  })

  it('lists every problem with file and line, and exits 1', async () => {
    const root = join(project, '.claude', 'skills')
    await writeSkill(
      root,
      'good',
      skillText('good', 'Fine. Use when fine.', '1. See references/missing.md\n'),
    )
    await writeSkill(
      root,
      'Bad_Name',
      '---\nname: Bad_Name\ndescription: x\nversion: 2\n---\nBody\n',
    )
    const run = await fte(['skills', 'validate'], { SKILLS_DIRS: root })
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n')).toEqual([
      '.claude/skills/Bad_Name/SKILL.md:2: error: frontmatter name "Bad_Name" must be 1-64 lowercase letters, digits and single hyphens',
      expect.stringMatching(
        /^\.claude\/skills\/Bad_Name\/SKILL\.md:4: error: unknown field "version"/,
      ),
      '.claude/skills/good/SKILL.md:7: warning: names references/missing.md, which is not a file of this skill',
      '2 skills checked: 1 valid, 1 with errors (2 errors, 1 warning).',
      '',
    ])
  })

  it('validates one skill folder given directly, and explains a folder with no skills', async () => {
    const dir = await writeSkill(tmp.dir, 'solo', skillText('solo', 'Solo.'))
    expect((await fte(['skills', 'validate', dir])).stdout).toContain('1 skill checked: 1 valid')
    await mkdir(join(tmp.dir, 'empty'))
    const empty = await fte(['skills', 'validate', join(tmp.dir, 'empty')])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('no skills in')
    const missing = await fte(['skills', 'validate', 'nowhere'])
    expect(missing).toMatchObject({ code: 2, stderr: 'fte: nowhere does not exist\n' })
  })

  it('prints JSON for machines, covering the support pack folder too', async () => {
    await writeSkill(join(project, '.claude', 'skills'), 'j', skillText('j', 'J.'))
    const report = JSON.parse((await fte(['skills', 'validate', '--json'])).stdout)
    expect(report.errors).toBe(0)
    expect(report.skills.map((s: { name: string }) => s.name)).toEqual([
      'j',
      'escalate-with-context',
      'find-similar-cases',
      'log-a-note',
      'summarize-ticket',
    ])
  })
})

describe('fte skills validate, whole library', () => {
  it('checks a folder reached twice once, and reports names claimed twice and missing folders', async () => {
    const root = join(project, '.claude', 'skills')
    await writeSkill(root, 'dup', skillText('dup', 'Project copy.'))
    await writeSkill(join(home, '.claude', 'skills'), 'dup', skillText('dup', 'User copy.'))
    const run = await fte(['skills', 'validate'], {
      SKILLS_DIRS: [root, root, join(home, '.claude', 'skills'), join(tmp.dir, 'nope')].join(':'),
    })
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')).toEqual([
      expect.stringMatching(
        /home\/\.claude\/skills\/dup\/SKILL\.md:1: warning: another skill is named "dup": .* wins/,
      ),
      `${join(tmp.dir, 'nope')}:1: warning: does not exist (named in SKILLS_DIRS)`,
      '2 skills checked: 2 valid, 0 with errors (0 errors, 2 warnings).',
      '',
    ])
  })

  it('says where it looked when there is nothing to check', async () => {
    const run = await fte(['skills', 'validate'], { SKILLS_DIRS: join(tmp.dir, 'none') })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`No skills found. Searched:\n  ${join(tmp.dir, 'none')}\n`)
  })
})

describe('fte skills list', () => {
  it('shows the winning skills with their source, warnings on stderr, and the token cost', async () => {
    await writeSkill(join(project, '.claude', 'skills'), 'dup', skillText('dup', 'Project copy.'))
    await writeSkill(join(home, '.claude', 'skills'), 'dup', skillText('dup', 'User copy.'))
    await writeSkill(join(home, '.claude', 'skills'), 'mine', skillText('mine', 'Only mine.'))
    const run = await fte(['skills', 'list', '--tokens'])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe(
      `warning: ${join(home, '.claude/skills/dup/SKILL.md')}: another skill is named "dup": ` +
        `${join(project, '.claude/skills/dup/SKILL.md')} wins (project skills win over user ` +
        'skills); this one is ignored\n',
    )
    expect(run.stdout).toMatch(/^dup +\d+ tok {2}\.claude\/skills\/dup\/SKILL\.md \(project\)$/m)
    expect(run.stdout).toContain('Project copy.')
    expect(run.stdout).toMatch(
      /^mine +\d+ tok {2}\/.*\/home\/\.claude\/skills\/mine\/SKILL\.md \(user\)$/m,
    )
    expect(run.stdout).toMatch(/^log-a-note +\d+ tok {2}\/.*\/log-a-note\/SKILL\.md \(pack\)$/m)
    expect(run.stdout).toMatch(/6 skills: the catalog costs \d+ tokens per turn/)
  })

  it('leaves the user folders out with SKILLS_USER=false, and says where it looked when empty', async () => {
    await writeSkill(join(home, '.claude', 'skills'), 'mine', skillText('mine', 'Only mine.'))
    const run = await fte(['skills', 'list'], { SKILLS_USER: 'false' })
    expect(run.stdout).not.toContain('mine')
    expect(run.stdout).toContain('log-a-note')
    const empty = await fte(['skills', 'list'], { SKILLS_DIRS: join(tmp.dir, 'none') })
    expect(empty.stdout).toBe(
      `No skills found. Searched:\n  ${join(tmp.dir, 'none')}\n` +
        'A skill is a folder holding a SKILL.md, e.g. .claude/skills/my-skill/SKILL.md.\n',
    )
  })

  it('reads SKILLS_DIRS instead of the defaults', async () => {
    const dir = join(tmp.dir, 'elsewhere')
    await writeSkill(dir, 'far', skillText('far', 'Far away.'))
    await writeFile(join(project, '.env'), `SKILLS_DIRS=${dir}\n`)
    const run = await fte(['skills', 'list', '--json'])
    expect(JSON.parse(run.stdout).skills).toEqual([
      {
        name: 'far',
        description: 'Far away.',
        source: 'configured',
        file: join(dir, 'far', 'SKILL.md'),
      },
    ])
  })
})
