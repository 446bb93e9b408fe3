import { readFile } from 'node:fs/promises'
import { isMap, isPair, isScalar, LineCounter, parseDocument, Scalar, visit } from 'yaml'
import { InvalidInputError } from '../lib/errors.ts'
import { type LoadedScenario, scenarioFileSchema } from './scenario.ts'

/** A scenario file that is not right: every problem, each with its line. */
export class ScenarioFileError extends InvalidInputError {
  readonly problems: readonly string[]
  constructor(file: string, problems: readonly string[]) {
    super(`${file}:\n  ${problems.join('\n  ')}`)
    this.problems = problems
  }
}

/** Reads a scenario file (YAML, or JSON, which is YAML too). */
export async function loadScenarioFile(file: string): Promise<LoadedScenario[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InvalidInputError(
      `Cannot read the scenario file ${file}: ${(error as Error).message}`,
    )
  }
  return parseScenarioFile(text, file)
}

/**
 * The scenarios of a file's text, checked: YAML syntax, the schema (every problem named with its
 * line and its path, `scenarios.3.expect.rows.0.sql`), and ids unique in the file.
 */
export function parseScenarioFile(text: string, file: string): LoadedScenario[] {
  const counter = new LineCounter()
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: true })
  const problems = document.errors.map(
    (error) => `line ${counter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`,
  )
  problems.push(...cutByComments(document, counter))
  if (problems.length > 0) throw new ScenarioFileError(file, problems)
  if (!isMap(document.contents)) {
    throw new ScenarioFileError(file, [
      'line 1: a scenario file is a mapping with domain and scenarios',
    ])
  }
  // The line of the deepest node of `path` the document has (a missing key: its parent's).
  const lineOf = (path: readonly PropertyKey[]): number => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true) as
        | { range?: [number] }
        | undefined
      const at = node?.range?.[0]
      if (at !== undefined) return counter.linePos(at).line
    }
    return 1
  }
  const parsed = scenarioFileSchema.safeParse(document.toJS())
  if (!parsed.success) {
    const found = parsed.error.issues.map((issue) => ({
      line: lineOf(issue.path),
      text: `${issue.path.join('.') || '(file)'}: ${describeIssue(issue)}`,
    }))
    found.sort((a, b) => a.line - b.line)
    throw new ScenarioFileError(
      file,
      found.map((p) => `line ${p.line}: ${p.text}`),
    )
  }
  const { domain, scenarios } = parsed.data
  const suite = parsed.data.suite ?? domain
  const seen = new Map<string, number>()
  const duplicates: string[] = []
  scenarios.forEach((scenario, index) => {
    if (seen.has(scenario.id)) {
      duplicates.push(
        `line ${lineOf(['scenarios', index, 'id'])}: scenarios.${index}.id: "${scenario.id}" is ` +
          `already the id of scenario ${seen.get(scenario.id)}`,
      )
    }
    seen.set(scenario.id, index)
  })
  if (duplicates.length > 0) throw new ScenarioFileError(file, duplicates)
  return scenarios.map((scenario) => ({ ...scenario, domain, suite, file }))
}

/** zod's words, but "is required" for a missing field rather than "expected string, received undefined". */
function describeIssue(issue: { code: string; message: string }): string {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
    ? 'is required'
    : issue.message
}

/** Keys whose values are people's words, where a `#` is more likely text than a comment. */
const FREE_TEXT = new Set([
  'title',
  'persona',
  'goal',
  'messages',
  'reply',
  'facts',
  'never',
  'name',
])

/**
 * Unquoted text that YAML cut at ` #` (`reply: Order #4429 was refunded.` is "Order"): in a
 * scenario that is nearly always an order or ticket number, not a comment.
 */
function cutByComments(document: ReturnType<typeof parseDocument>, counter: LineCounter): string[] {
  const problems: string[] = []
  visit(document, {
    Scalar(_key, node, path) {
      if (node.type !== Scalar.PLAIN || typeof node.value !== 'string') return
      if (node.comment == null || node.range == null) return
      const owner = [...path].reverse().find(isPair)
      const key = owner !== undefined && isScalar(owner.key) ? String(owner.key.value) : ''
      if (!FREE_TEXT.has(key)) return
      const line = counter.linePos(node.range[0]).line
      problems.push(
        `line ${line}: ${key}: the text stops before " #${node.comment.trim().split(' ')[0] ?? ''}" ` +
          '(YAML starts a comment there): put the text in quotes',
      )
    },
  })
  return problems
}
