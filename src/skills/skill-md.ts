import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'

/** A SKILL.md read apart: its frontmatter (as JSON), where each key sits, and its body. */
export interface SkillMarkdown {
  /** Undefined when the frontmatter is missing, unreadable or not a mapping (see `problems`). */
  frontmatter: Record<string, unknown> | undefined
  /** The 1-based line of each top-level frontmatter key in the file. */
  keyLines: ReadonlyMap<string, number>
  /** Keys whose value line ends in a YAML comment (` #...`): text the author may have meant. */
  commentedKeys: ReadonlySet<string>
  /** The markdown after the closing `---`. */
  body: string
  /** The file line the body starts on. */
  bodyLine: number
  /** Why the frontmatter could not be read, each with its file line. */
  problems: Array<{ line: number; message: string }>
}

/**
 * Splits a SKILL.md into YAML frontmatter and body and parses the YAML (YAML 1.2 core schema, as
 * the MCP SDK reads it), keeping line numbers so every problem can point at its line.
 */
export function parseSkillMarkdown(text: string): SkillMarkdown {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const keyLines = new Map<string, number>()
  const commentedKeys = new Set<string>()
  const empty = (message: string, line = 1): SkillMarkdown => ({
    frontmatter: undefined,
    keyLines,
    commentedKeys,
    body: text,
    bodyLine: 1,
    problems: [{ line, message }],
  })
  if (lines[0]?.trimEnd() !== '---') {
    return empty('SKILL.md must start with YAML frontmatter: a line "---", the fields, then "---"')
  }
  const close = lines.findIndex((line, index) => index > 0 && line.trimEnd() === '---')
  if (close === -1) return empty('the frontmatter has no closing "---" line')

  const yaml = lines.slice(1, close).join('\n')
  const counter = new LineCounter()
  const document = parseDocument(yaml, { lineCounter: counter, uniqueKeys: true, version: '1.2' })
  const fileLine = (offset: number) => counter.linePos(offset).line + 1
  const body = lines.slice(close + 1).join('\n')
  const bodyLine = close + 2
  if (document.errors.length > 0) {
    return {
      frontmatter: undefined,
      keyLines,
      commentedKeys,
      body,
      bodyLine,
      problems: uniqueProblems(
        document.errors.map((error) => ({
          line: fileLine(error.pos[0]),
          message: `the frontmatter is not valid YAML: ${yamlReason(error.message)}`,
        })),
      ),
    }
  }
  if (!isMap(document.contents)) {
    return {
      ...empty('the frontmatter must be a mapping of fields (name: ..., description: ...)', 2),
      body,
      bodyLine,
    }
  }
  for (const pair of document.contents.items) {
    if (isScalar(pair.key) && pair.key.range) {
      keyLines.set(String(pair.key.value), fileLine(pair.key.range[0]))
      if (isScalar(pair.value) && pair.value.comment) commentedKeys.add(String(pair.key.value))
    }
  }
  return {
    frontmatter: document.toJS({ maxAliasCount: 10 }) as Record<string, unknown>,
    keyLines,
    commentedKeys,
    body,
    bodyLine,
    problems: [],
  }
}

/** The parser's reason without its own position (relative to the YAML, not the file). */
function yamlReason(message: string): string {
  const reason = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '')
  return /mapping/i.test(reason)
    ? `${reason} (a value holding ": " must be quoted, e.g. description: "Use when: ...")`
    : reason
}

function uniqueProblems(
  problems: Array<{ line: number; message: string }>,
): Array<{ line: number; message: string }> {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = `${p.line}\0${p.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
