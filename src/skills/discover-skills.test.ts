import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { skillText, tempProject, writeSkill } from '../../test/support/skill-fixtures.ts'
import { discoverSkills, skillsForDomain } from './discover-skills.ts'
import { skillRoots } from './skill-roots.ts'

let tmp: Awaited<ReturnType<typeof tempProject>>
let project: string
let home: string

beforeEach(async () => {
  tmp = await tempProject()
  ;({ project, home } = tmp)
})
afterEach(() => tmp.remove())

const roots = (extra: { packDirs?: string[] } = {}) => skillRoots({ cwd: project, home, ...extra })

describe('discoverSkills: where skills come from and which wins', () => {
  it("finds skills in the project's and the user's Claude Code, .agents and OpenCode folders", async () => {
    await writeSkill(join(project, '.claude/skills'), 'a-claude', skillText('a-claude', 'A.'))
    await writeSkill(join(project, '.agents/skills'), 'b-agents', skillText('b-agents', 'B.'))
    await writeSkill(join(project, '.opencode/skills'), 'c-opencode', skillText('c-opencode', 'C.'))
    await writeSkill(join(home, '.claude/skills'), 'd-user', skillText('d-user', 'D.'))
    await writeSkill(join(home, '.agents/skills'), 'e-user', skillText('e-user', 'E.'))
    await writeSkill(join(home, '.config/opencode/skills'), 'f-user', skillText('f-user', 'F.'))
    const library = await discoverSkills(roots())
    expect(library.skills.map((s) => [s.name, s.root.level])).toEqual([
      ['a-claude', 'project'],
      ['b-agents', 'project'],
      ['c-opencode', 'project'],
      ['d-user', 'user'],
      ['e-user', 'user'],
      ['f-user', 'user'],
    ])
    expect(library.warnings).toEqual([])
    expect(library.get('d-user')?.description).toBe('D.')
  })

  it('lets a project skill win over a user skill of the same name, and says which file won', async () => {
    const mine = await writeSkill(
      join(project, '.claude/skills'),
      'report',
      skillText('report', 'Project.'),
    )
    const theirs = await writeSkill(
      join(home, '.claude/skills'),
      'report',
      skillText('report', 'User.'),
    )
    const library = await discoverSkills(roots())
    expect(library.skills).toHaveLength(1)
    expect(library.get('report')?.description).toBe('Project.')
    expect(library.warnings).toEqual([
      {
        file: join(theirs, 'SKILL.md'),
        message: `another skill is named "report": ${join(mine, 'SKILL.md')} wins (project skills win over user skills); this one is ignored`,
      },
    ])
  })

  it('orders the project folders .claude, .agents, .opencode, then the domain pack, then the user', async () => {
    const pack = join(tmp.dir, 'pack-skills')
    await writeSkill(join(project, '.opencode/skills'), 'x', skillText('x', 'OpenCode.'))
    await writeSkill(join(project, '.agents/skills'), 'x', skillText('x', 'Agents.'))
    await writeSkill(pack, 'x', skillText('x', 'Pack.'))
    await writeSkill(pack, 'y', skillText('y', 'Pack y.'))
    await writeSkill(join(home, '.claude/skills'), 'y', skillText('y', 'User y.'))
    const library = await discoverSkills(roots({ packDirs: [pack] }))
    expect(library.get('x')?.description).toBe('Agents.')
    expect(library.get('y')?.description).toBe('Pack y.')
    expect(library.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining(
        `.agents/skills/x/SKILL.md wins (${join(project, '.agents/skills')} comes first`,
      ),
      expect.stringContaining(
        ".agents/skills/x/SKILL.md wins (project skills win over the domain pack's skills)",
      ),
      expect.stringContaining(
        "pack-skills/y/SKILL.md wins (the domain pack's skills win over user skills)",
      ),
    ])
  })

  it('scans a folder reached twice (the pack folder is the project folder) only once', async () => {
    const folder = join(project, '.claude/skills')
    await writeSkill(folder, 'once', skillText('once', 'Once.'))
    const library = await discoverSkills(roots({ packDirs: [folder] }))
    expect(library.skills.map((s) => s.name)).toEqual(['once'])
    expect(library.warnings).toEqual([])
  })

  it('uses configured folders instead of the defaults, first one winning', async () => {
    const a = join(tmp.dir, 'a')
    const b = join(tmp.dir, 'b')
    await writeSkill(a, 'z', skillText('z', 'From a.'))
    await writeSkill(b, 'z', skillText('z', 'From b.'))
    await writeSkill(join(project, '.claude/skills'), 'ignored', skillText('ignored', 'No.'))
    const library = await discoverSkills(skillRoots({ cwd: project, home, configured: [b, a] }))
    expect(library.skills.map((s) => [s.name, s.description, s.root.level])).toEqual([
      ['z', 'From b.', 'configured'],
    ])
  })

  it('loads a skill whose name differs from its folder under its name, with a warning', async () => {
    const dir = await writeSkill(
      join(project, '.claude/skills'),
      'folder-name',
      skillText('real-name', 'R.'),
    )
    const library = await discoverSkills(roots())
    expect(library.get('real-name')?.dir).toBe(dir)
    expect(library.warnings).toEqual([
      {
        file: join(dir, 'SKILL.md'),
        line: 2,
        message:
          'name "real-name" must equal the skill\'s folder name "folder-name": rename the folder or the name (loaded anyway)',
      },
    ])
  })

  it('reports two folders of one root claiming the same name, the first by folder name winning', async () => {
    const folder = join(project, '.claude/skills')
    await writeSkill(folder, 'dup', skillText('dup', 'First.'))
    await writeSkill(folder, 'dup-copy', skillText('dup', 'Second.'))
    const library = await discoverSkills(roots())
    expect(library.get('dup')?.description).toBe('First.')
    expect(library.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('must equal the skill\'s folder name "dup-copy"'),
      expect.stringContaining('wins (same folder: the first in alphabetical order wins)'),
    ])
  })

  it('skips only what cannot be used: no description, unreadable YAML, no SKILL.md', async () => {
    const folder = join(project, '.claude/skills')
    await writeSkill(folder, 'no-description', '---\nname: no-description\n---\nBody')
    await writeSkill(folder, 'bad-yaml', '---\nname: bad-yaml\ndescription: Use when: x\n---\n')
    await mkdir(join(folder, 'lower-case'))
    await writeFile(join(folder, 'lower-case', 'skill.md'), skillText('lower-case', 'L.'))
    await mkdir(join(folder, 'empty-folder'))
    await writeSkill(
      folder,
      'extra-field',
      `${skillText('extra-field', 'E.').replace('---\n#', 'version: 2\n---\n#')}`,
    )
    const library = await discoverSkills(roots())
    expect(library.skills.map((s) => s.name)).toEqual(['extra-field'])
    const messages = library.warnings.map((w) => `${w.file.slice(folder.length + 1)}: ${w.message}`)
    expect(messages).toEqual([
      expect.stringMatching(/^bad-yaml\/SKILL.md: the frontmatter is not valid YAML.*\(skipped\)$/),
      'empty-folder: has no SKILL.md, so it is not a skill (skipped)',
      expect.stringMatching(/^extra-field\/SKILL.md: unknown field "version".*\(loaded anyway\)$/),
      'lower-case/skill.md: the file must be named SKILL.md, in capitals (skipped)',
      'no-description/SKILL.md: the required field "description" is missing (skipped)',
    ])
  })

  it('follows a symlinked skill folder, keeping its real location for reads', async () => {
    const elsewhere = await writeSkill(join(tmp.dir, 'shared'), 'linked', skillText('linked', 'L.'))
    await mkdir(join(project, '.claude/skills'), { recursive: true })
    await symlink(elsewhere, join(project, '.claude/skills/linked'))
    const library = await discoverSkills(roots())
    expect(library.get('linked')?.realDir).toBe(elsewhere)
  })

  it('is empty, without warnings, when no folder exists', async () => {
    const library = await discoverSkills(roots())
    expect(library.skills).toEqual([])
    expect(library.warnings).toEqual([])
  })

  it('leaves out the skills another domain pack owns (metadata.domain), keeping its own and general ones', async () => {
    const root = join(project, '.claude/skills')
    const owned = (name: string, domain: string) =>
      `---\nname: ${name}\ndescription: ${name}.\nmetadata:\n  domain: ${domain}\n---\n# ${name}\n`
    await writeSkill(root, 'support-one', owned('support-one', 'support'))
    await writeSkill(root, 'tasks-one', owned('tasks-one', 'tasks'))
    await writeSkill(root, 'general', skillText('general', 'General.'))
    const library = skillsForDomain(await discoverSkills(roots()), 'tasks')
    expect(library.skills.map((s) => s.name)).toEqual(['general', 'tasks-one'])
    expect(library.get('support-one')).toBeUndefined()
    expect(library.get('tasks-one')?.description).toBe('tasks-one.')
  })
})
