import { basename, join } from 'node:path'
import { SkillCatalogError, skillEntry } from '@modelcontextprotocol/server/ext/skills'
import { errorMessage } from '../lib/errors.ts'
import { parseSkillMarkdown, type SkillMarkdown } from './skill-md.ts'

/** One problem with a skill, pointing at its file and line. */
export interface SkillProblem {
  file: string
  line: number
  /** `error`: breaks the specification. `warning`: guidance (body length, a missing reference). */
  severity: 'error' | 'warning'
  message: string
}

/** The frontmatter fields the Agent Skills specification allows, and no others. */
export const SKILL_FIELDS = [
  'name',
  'description',
  'license',
  'compatibility',
  'metadata',
  'allowed-tools',
] as const

/** The specification's guidance: a SKILL.md body beyond this many lines should move depth out. */
export const BODY_LINE_GUIDANCE = 500

export interface SkillCheck {
  markdown: SkillMarkdown
  problems: SkillProblem[]
}

/**
 * Checks one SKILL.md against the agentskills.io specification. The MCP SDK's skills extension
 * decides the rules it implements (name pattern, name = folder, description, compatibility and
 * metadata shapes), so what is published over MCP and what passes here cannot disagree; the rules
 * it leaves out (required fields, no other fields, license and allowed-tools shapes, body length)
 * are checked here.
 */
export async function checkSkill(dir: string, text: string): Promise<SkillCheck> {
  const file = join(dir, 'SKILL.md')
  const markdown = parseSkillMarkdown(text)
  const problems: SkillProblem[] = markdown.problems.map((p) => ({
    file,
    severity: 'error',
    ...p,
  }))
  const frontmatter = markdown.frontmatter
  if (frontmatter === undefined) return { markdown, problems }

  const lineOf = (key: string) => markdown.keyLines.get(key) ?? 2
  const reported = new Set<string>()
  const error = (key: string, message: string) => {
    reported.add(key)
    problems.push({ file, line: lineOf(key), severity: 'error', message })
  }

  for (const key of ['name', 'description'] as const) {
    const value = frontmatter[key]
    if (value === undefined || value === null) error(key, `the required field "${key}" is missing`)
    else if (typeof value !== 'string') error(key, `"${key}" must be a string`)
    else if (value.trim() === '') error(key, `"${key}" must not be empty`)
  }
  for (const key of Object.keys(frontmatter)) {
    if (!(SKILL_FIELDS as readonly string[]).includes(key)) {
      error(
        key,
        `unknown field "${key}": the specification allows only ${SKILL_FIELDS.join(', ')} ` +
          '(put anything else under metadata)',
      )
    }
  }
  for (const key of markdown.commentedKeys) {
    problems.push({
      file,
      line: lineOf(key),
      severity: 'warning',
      message:
        `"${key}" ends at " #": YAML reads the rest of the line as a comment. ` +
        'Quote the value (or use "description: >-" and the text on the next lines) to keep it',
    })
  }
  const license = frontmatter.license
  if (license !== undefined && (typeof license !== 'string' || license.trim() === '')) {
    error('license', '"license" must be a license name or the path of a bundled license file')
  }
  const tools = frontmatter['allowed-tools']
  if (tools !== undefined && typeof tools !== 'string') {
    error('allowed-tools', '"allowed-tools" must be one string of space-separated tool names')
  }
  if (typeof frontmatter.name === 'string' && typeof frontmatter.description === 'string') {
    const folder = basename(dir)
    for (const message of await sdkRuleProblems(folder, text)) {
      // Said below in words that name the fix; the SDK also skips it when the pattern fails.
      if (message.includes('must match the last path segment')) continue
      const key = /^frontmatter ([a-z-]+)/.exec(message)?.[1]
      if (key !== undefined && reported.has(key)) continue
      error(
        key ?? 'name',
        key === undefined ? `the MCP skills extension refuses it: ${message}` : message,
      )
    }
    if (frontmatter.name !== folder) {
      problems.push({
        file,
        line: lineOf('name'),
        severity: 'error',
        message: `name "${frontmatter.name}" must equal the skill's folder name "${folder}": rename the folder or the name`,
      })
    }
  }

  const bodyLines = markdown.body.split('\n')
  while (bodyLines.length > 0 && bodyLines.at(-1)?.trim() === '') bodyLines.pop()
  if (bodyLines.every((line) => line.trim() === '')) {
    problems.push({
      file,
      line: markdown.bodyLine,
      severity: 'warning',
      message: 'the body is empty: write the steps the skill gives after the frontmatter',
    })
  } else if (bodyLines.length > BODY_LINE_GUIDANCE) {
    problems.push({
      file,
      line: markdown.bodyLine + BODY_LINE_GUIDANCE,
      severity: 'warning',
      message:
        `the body is ${bodyLines.length} lines; keep SKILL.md under ${BODY_LINE_GUIDANCE} ` +
        'and move depth into references/',
    })
  }
  problems.sort((a, b) => a.line - b.line)
  return { markdown, problems }
}

/** The SDK's own verdict: the problems that would keep the skill out of an MCP catalog. */
async function sdkRuleProblems(folder: string, text: string): Promise<string[]> {
  try {
    await skillEntry(folder, { 'SKILL.md': text })
    return []
  } catch (error) {
    if (error instanceof SkillCatalogError) return error.problems.map((p) => p.message)
    return [errorMessage(error)]
  }
}
