import { readFile, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import { validate as referenceValidate } from 'skills-ref'
import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../../src/embedding/local-embedder.ts'
import { createGateway } from '../../../src/gateway/gateway.ts'
import { createLogger } from '../../../src/lib/logger.ts'
import { packageRoot } from '../../../src/lib/package-root.ts'
import { discoverSkills } from '../../../src/skills/discover-skills.ts'
import { catalogCost } from '../../../src/skills/skill-catalog.ts'
import { skillRoots } from '../../../src/skills/skill-roots.ts'
import { validateSkillFolder } from '../../../src/skills/validate-skills.ts'
import { supportPack } from '../index.ts'
import { supportLexicon } from '../lexicon.ts'

const SHIPPED = ['escalate-with-context', 'find-similar-cases', 'log-a-note', 'summarize-ticket']
const folder = (name: string) => join(packageRoot(), 'domains', 'support', 'skills', name)

describe('the shipped skills', () => {
  it("are the support pack's, and Claude Code and OpenCode find them where they look in a project", async () => {
    const root = packageRoot()
    // .claude/skills is a link to the pack's folder: both clients read project skills from it.
    expect(await realpath(join(root, '.claude', 'skills'))).toBe(
      await realpath(join(root, 'domains', 'support', 'skills')),
    )
    expect(supportPack.skillsDir).toBe(join(root, 'domains', 'support', 'skills'))
    const found = await discoverSkills(
      skillRoots({ cwd: root, home: undefined, packDirs: [supportPack.skillsDir ?? ''] }),
    )
    expect(found.warnings).toEqual([])
    for (const name of SHIPPED) {
      expect(found.get(name)?.file).toBe(join(root, '.claude', 'skills', name, 'SKILL.md'))
    }
  })

  it.each(SHIPPED)(
    '%s passes strict validation with no warning, and the reference validator',
    async (name) => {
      expect((await validateSkillFolder(folder(name))).problems).toEqual([])
      expect(await referenceValidate(folder(name))).toEqual([])
    },
  )

  it.each(SHIPPED)(
    '%s is imperative: numbered steps, two examples, edge cases, depth in references/',
    async (name) => {
      const library = await discoverSkills([
        { dir: join(packageRoot(), 'domains', 'support', 'skills'), level: 'pack' },
      ])
      const text = await readFile(join(folder(name), 'SKILL.md'), 'utf8')
      expect(library.get(name)).toBeDefined()
      expect(text).toMatch(/^1\. /m)
      expect(text.match(/^## Example/gm)).toHaveLength(2)
      expect(text).toMatch(/^## Edge cases/m)
      if (name !== 'log-a-note') expect(text).toMatch(/`references\/[a-z-]+\.md`/)
    },
  )

  it('name only gateway tools that exist, so a step never sends the model to a missing tool', async () => {
    const gateway = createGateway({
      db: new Promise(() => {}),
      pack: supportPack,
      embedder: createLocalEmbedder(1024, supportLexicon),
      logger: createLogger({ level: 'silent' }),
      sessionSecret: 'x'.repeat(32),
      sessionTtlSeconds: 600,
      toolTimeoutMs: 1000,
      maxConcurrentPerIdentity: 4,
      rateLimit: undefined,
    })
    const tools = new Set(gateway.tools.map((t) => t.name))
    for (const name of SHIPPED) {
      const text = await readFile(join(folder(name), 'SKILL.md'), 'utf8')
      const named = [...text.matchAll(/`((?:domain|user|config)_[a-z_]+)`/g)].map((m) => m[1])
      expect(named.length, name).toBeGreaterThan(0)
      for (const tool of named) expect(tools.has(tool ?? ''), `${name} names ${tool}`).toBe(true)
    }
  })

  it('keep the catalog near the specification budget of about 100 tokens per skill', async () => {
    const library = await discoverSkills([
      { dir: join(packageRoot(), '.claude', 'skills'), level: 'project' },
    ])
    const cost = catalogCost(library.skills)
    const average = cost.perSkill.reduce((sum, s) => sum + s.tokens, 0) / cost.perSkill.length
    expect(cost.perSkill.map((s) => s.name)).toEqual(SHIPPED)
    expect(average).toBeLessThanOrEqual(110)
  })
})
