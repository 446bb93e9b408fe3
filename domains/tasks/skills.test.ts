import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { validate as referenceValidate } from 'skills-ref'
import { describe, expect, it } from 'vitest'
import { validateSkillFolder } from '../../src/skills/validate-skills.ts'
import { tasksPack } from './index.ts'

const folder = join(tasksPack.skillsDir ?? '', 'plan-my-day')

describe('the tasks pack’s skill', () => {
  it('passes strict validation with no warning, and the reference validator', async () => {
    expect((await validateSkillFolder(folder)).problems).toEqual([])
    expect(await referenceValidate(folder)).toEqual([])
  })

  it('names only tools the pack has, and is written like the shipped skills', async () => {
    const text = await readFile(join(folder, 'SKILL.md'), 'utf8')
    const tools = new Set(tasksPack.gateway?.tools.map((t) => t.name))
    const named = [...text.matchAll(/`((?:domain|user|config)_[a-z_]+)`/g)].map((m) => m[1])
    expect(named.length).toBeGreaterThan(0)
    for (const tool of named) expect(tools.has(tool ?? ''), tool).toBe(true)
    expect(text).toMatch(/^1\. /m)
    expect(text.match(/^## Example/gm)).toHaveLength(2)
    expect(text).toMatch(/^## Edge cases/m)
    expect(text).toContain('`references/ordering.md`')
  })
})
