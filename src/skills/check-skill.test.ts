import { describe, expect, it } from 'vitest'
import { checkSkill } from './check-skill.ts'

const DIR = '/skills/pdf-tools'

function skillMd(frontmatter: string, body = '# PDF tools\n\n1. Open the file.\n'): string {
  return `---\n${frontmatter}\n---\n${body}`
}

async function problems(frontmatter: string, body?: string, dir = DIR) {
  const { problems } = await checkSkill(dir, skillMd(frontmatter, body))
  return problems.map((p) => ({ line: p.line, severity: p.severity, message: p.message }))
}

const VALID =
  'name: pdf-tools\ndescription: Extracts text from PDFs. Use when the user mentions PDFs.'

describe('checkSkill: the agentskills.io rules, each pointing at its file and line', () => {
  it('passes a minimal valid skill and one using every optional field', async () => {
    expect(await problems(VALID)).toEqual([])
    expect(
      await problems(
        `${VALID}\nlicense: Apache-2.0\ncompatibility: Requires python3\n` +
          "metadata:\n  author: acme\n  version: '1.2'\nallowed-tools: Bash(git:*) Read",
      ),
    ).toEqual([])
  })

  it('names the file of every problem', async () => {
    const { problems } = await checkSkill(DIR, skillMd('name: pdf-tools'))
    expect(problems.map((p) => p.file)).toEqual(['/skills/pdf-tools/SKILL.md'])
  })

  it.each([
    ['an upper-case letter', 'PDF-tools'],
    ['an underscore', 'pdf_tools'],
    ['a leading hyphen', '-pdf-tools'],
    ['a trailing hyphen', 'pdf-tools-'],
    ['two hyphens in a row', 'pdf--tools'],
    ['a space', 'pdf tools'],
    ['65 characters', 'a'.repeat(65)],
  ])('refuses a name with %s', async (_, name) => {
    const found = await problems(
      `description: Does things with PDFs.\nname: "${name}"`,
      undefined,
      `/skills/${name}`,
    )
    expect(found).toEqual([
      {
        line: 3,
        severity: 'error',
        message: expect.stringContaining(
          'must be 1-64 lowercase letters, digits and single hyphens',
        ),
      },
    ])
  })

  it('says both when a bad name also differs from its folder, so one fix is enough', async () => {
    expect(
      await problems('name: Bad_Skill\ndescription: x', undefined, '/skills/Bad-Skill'),
    ).toEqual([
      { line: 2, severity: 'error', message: expect.stringContaining('lowercase letters, digits') },
      {
        line: 2,
        severity: 'error',
        message:
          'name "Bad_Skill" must equal the skill\'s folder name "Bad-Skill": rename the folder or the name',
      },
    ])
  })

  it('accepts a 64-character name of letters and digits', async () => {
    const name = `a1-${'b'.repeat(61)}`
    expect(
      await problems(`name: ${name}\ndescription: Does things.`, undefined, `/s/${name}`),
    ).toEqual([])
  })

  it('refuses a name that differs from its folder', async () => {
    expect(await problems(VALID, undefined, '/skills/pdf')).toEqual([
      {
        line: 2,
        severity: 'error',
        message:
          'name "pdf-tools" must equal the skill\'s folder name "pdf": rename the folder or the name',
      },
    ])
  })

  it('requires name and description, as non-empty strings', async () => {
    expect(await problems('description: Does things.')).toEqual([
      { line: 2, severity: 'error', message: 'the required field "name" is missing' },
    ])
    expect(await problems('name: pdf-tools')).toEqual([
      { line: 2, severity: 'error', message: 'the required field "description" is missing' },
    ])
    expect(await problems('name: pdf-tools\ndescription: "  "')).toEqual([
      { line: 3, severity: 'error', message: '"description" must not be empty' },
    ])
    expect(await problems('name: pdf-tools\ndescription: [a, b]')).toEqual([
      { line: 3, severity: 'error', message: '"description" must be a string' },
    ])
  })

  it('limits the description to 1024 characters', async () => {
    expect(await problems(`name: pdf-tools\ndescription: ${'d'.repeat(1024)}`)).toEqual([])
    expect(await problems(`name: pdf-tools\ndescription: ${'d'.repeat(1025)}`)).toEqual([
      { line: 3, severity: 'error', message: 'frontmatter description must be 1-1024 characters' },
    ])
  })

  it('limits compatibility to 500 characters', async () => {
    expect(await problems(`${VALID}\ncompatibility: ${'c'.repeat(500)}`)).toEqual([])
    expect(await problems(`${VALID}\ncompatibility: ${'c'.repeat(501)}`)).toEqual([
      {
        line: 4,
        severity: 'error',
        message: 'frontmatter compatibility must be a string of 1-500 characters',
      },
    ])
  })

  it('requires metadata to map strings to strings', async () => {
    expect(await problems(`${VALID}\nmetadata:\n  version: 2`)).toEqual([
      { line: 4, severity: 'error', message: 'frontmatter metadata must map strings to strings' },
    ])
    expect(await problems(`${VALID}\nmetadata: [a]`)).toHaveLength(1)
  })

  it('requires license and allowed-tools to be strings', async () => {
    expect(await problems(`${VALID}\nlicense: ""`)).toEqual([
      {
        line: 4,
        severity: 'error',
        message: '"license" must be a license name or the path of a bundled license file',
      },
    ])
    expect(await problems(`${VALID}\nallowed-tools: [Read, Bash]`)).toEqual([
      {
        line: 4,
        severity: 'error',
        message: '"allowed-tools" must be one string of space-separated tool names',
      },
    ])
  })

  it('refuses any other field, on its line', async () => {
    expect(await problems(`${VALID}\nversion: 1.0\nauthor: me`)).toEqual([
      { line: 4, severity: 'error', message: expect.stringMatching(/^unknown field "version"/) },
      { line: 5, severity: 'error', message: expect.stringMatching(/^unknown field "author"/) },
    ])
  })

  it('reports frontmatter that is missing, unclosed, not YAML or not a mapping', async () => {
    expect((await checkSkill(DIR, '# Just a body\n')).problems[0]).toMatchObject({
      line: 1,
      message: expect.stringContaining('must start with YAML frontmatter'),
    })
    expect((await checkSkill(DIR, '---\nname: pdf-tools\n')).problems[0]?.message).toBe(
      'the frontmatter has no closing "---" line',
    )
    expect(await problems('name: pdf-tools\ndescription: Use when: a PDF arrives')).toEqual([
      {
        line: 3,
        severity: 'error',
        message: expect.stringContaining('a value holding ": " must be quoted'),
      },
    ])
    expect(await problems('name: a\nname: b\ndescription: x')).toEqual([
      { line: 3, severity: 'error', message: expect.stringContaining('Map keys must be unique') },
    ])
    expect(await problems('- just\n- a list')).toEqual([
      { line: 2, severity: 'error', message: expect.stringContaining('must be a mapping') },
    ])
  })

  it('warns when " #" turns the end of a description into a YAML comment', async () => {
    expect(
      await problems('name: pdf-tools\ndescription: Use for ticket T-1 or #1042 and more'),
    ).toEqual([{ line: 3, severity: 'warning', message: expect.stringContaining('ends at " #"') }])
  })

  it('accepts a folded description and CRLF line ends with a byte-order mark', async () => {
    const text =
      '\uFEFF---\r\nname: pdf-tools\r\ndescription: >-\r\n  Extracts text.\r\n  Use with PDFs.\r\n---\r\nBody\r\n'
    const { markdown, problems } = await checkSkill(DIR, text)
    expect(problems).toEqual([])
    expect(markdown.frontmatter?.description).toBe('Extracts text. Use with PDFs.')
  })

  it('gives body-length guidance as a warning past 500 lines, and warns on an empty body', async () => {
    const long = Array.from({ length: 501 }, (_, i) => `line ${i}`).join('\n')
    expect(await problems(VALID, Array.from({ length: 500 }, () => 'x').join('\n'))).toEqual([])
    expect(await problems(VALID, long)).toEqual([
      { line: 505, severity: 'warning', message: expect.stringContaining('the body is 501 lines') },
    ])
    expect(await problems(VALID, '\n\n')).toEqual([
      { line: 5, severity: 'warning', message: expect.stringContaining('the body is empty') },
    ])
  })
})
