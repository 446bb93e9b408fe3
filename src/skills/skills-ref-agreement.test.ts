import { validate as referenceValidate } from 'skills-ref'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, writeSkill } from '../../test/support/skill-fixtures.ts'
import { validateSkillFolder } from './validate-skills.ts'

/**
 * A second opinion: the `skills-ref` port of the reference validator must agree with ours on
 * whether each skill of a corpus is valid. Where the two differ on purpose, the difference is
 * listed below and asserted, so neither side drifts unnoticed.
 */
const fm = (lines: string) => `---\n${lines}\n---\n# Skill\n\n1. Do it.\n`
const ok = 'description: Does a thing. Use when asked.'

/** [case, folder, SKILL.md, valid]: both validators must give this verdict. */
const AGREED: Array<[string, string, string, boolean]> = [
  ['minimal', 'minimal', fm(`name: minimal\n${ok}`), true],
  ['digits-2', 'digits-2', fm(`name: digits-2\n${ok}`), true],
  [
    'all-fields',
    'all-fields',
    fm(
      `name: all-fields\n${ok}\nlicense: MIT\ncompatibility: Needs git\n` +
        "metadata:\n  author: acme\n  version: '1'\nallowed-tools: Read Bash",
    ),
    true,
  ],
  ['folded', 'folded', fm('name: folded\ndescription: >-\n  Long text\n  on two lines.'), true],
  ['max-name', 'a'.repeat(64), fm(`name: ${'a'.repeat(64)}\n${ok}`), true],
  [
    'max-description',
    'max-description',
    fm(`name: max-description\ndescription: ${'d'.repeat(1024)}`),
    true,
  ],
  ['upper-case', 'Upper', fm(`name: Upper\n${ok}`), false],
  ['underscore', 'under_score', fm(`name: under_score\n${ok}`), false],
  ['leading hyphen', '-lead', fm(`name: "-lead"\n${ok}`), false],
  ['trailing hyphen', 'trail-', fm(`name: trail-\n${ok}`), false],
  ['double hyphen', 'dou--ble', fm(`name: dou--ble\n${ok}`), false],
  ['space', 'with space', fm(`name: with space\n${ok}`), false],
  ['65-char name', 'a'.repeat(65), fm(`name: ${'a'.repeat(65)}\n${ok}`), false],
  ['folder mismatch', 'folder', fm(`name: other\n${ok}`), false],
  ['no name', 'no-name', fm(ok), false],
  ['no description', 'no-description', fm('name: no-description'), false],
  ['empty description', 'empty-description', fm('name: empty-description\ndescription: ""'), false],
  [
    '1025-char description',
    'long-description',
    fm(`name: long-description\ndescription: ${'d'.repeat(1025)}`),
    false,
  ],
  [
    '501-char compatibility',
    'compat',
    fm(`name: compat\n${ok}\ncompatibility: ${'c'.repeat(501)}`),
    false,
  ],
  ['unknown field', 'unknown', fm(`name: unknown\n${ok}\nversion: "2"`), false],
  ['no frontmatter', 'no-frontmatter', '# Just a body\n', false],
  ['unclosed frontmatter', 'unclosed', `---\nname: unclosed\n${ok}\n`, false],
  ['invalid YAML', 'bad-yaml', fm('name: bad-yaml\ndescription: Use when: x'), false],
  ['a list, not a mapping', 'a-list', fm('- name\n- description'), false],
]

/** Deliberate differences: [case, folder, SKILL.md, ours valid, reference valid, why]. */
const DIFFERENT: Array<[string, string, string, boolean, boolean, string]> = [
  [
    'non-ASCII lower-case name',
    'café',
    fm(`name: café\n${ok}`),
    false,
    true,
    'the MCP SDK (which publishes the skill) allows a-z, 0-9 and hyphens only',
  ],
  [
    'metadata with a number',
    'meta-number',
    fm(`name: meta-number\n${ok}\nmetadata:\n  version: 2`),
    false,
    true,
    'the specification says a string map; the reference coerces values to strings',
  ],
  [
    'allowed-tools as a list',
    'tools-list',
    fm(`name: tools-list\n${ok}\nallowed-tools: [Read, Bash]`),
    false,
    true,
    'the specification says a space-separated string; the reference does not check it',
  ],
]

let tmp: Awaited<ReturnType<typeof tempDir>>
beforeAll(async () => {
  tmp = await tempDir()
})
afterAll(() => tmp.remove())

async function verdicts(
  folder: string,
  text: string,
): Promise<{ ours: boolean; reference: boolean }> {
  const dir = await writeSkill(tmp.dir, folder, text)
  const report = await validateSkillFolder(dir)
  return {
    ours: report.problems.every((p) => p.severity !== 'error'),
    reference: (await referenceValidate(dir)).length === 0,
  }
}

describe('agreement with the reference validator (skills-ref)', () => {
  it.each(AGREED)('agrees on: %s', async (_, folder, text, valid) => {
    expect(await verdicts(folder, text)).toEqual({ ours: valid, reference: valid })
  })

  it.each(DIFFERENT)('differs on purpose on: %s', async (_, folder, text, ours, reference) => {
    expect(await verdicts(folder, text)).toEqual({ ours, reference })
  })
})
