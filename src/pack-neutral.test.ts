import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from './lib/package-root.ts'

/**
 * The support pack's words: the core must work for any pack, so none of them may appear in what
 * `src/` runs or says (code, strings, pages). Comments may use them to explain a pack contract.
 */
const SUPPORT_WORDS = /refund|ticket|escalat|order number|#\d{4}\b/i

/** What `fte new-domain` writes into a new pack: pack code, not the core's. */
const PACK_TEMPLATES = new Set(['src/cli/commands/new-domain-template.ts'])

/**
 * The text of a script without its comments: strings, template literals and regular expressions
 * are kept whole (a `//` inside them is not a comment). A `/` starts a regular expression where an
 * operand is expected, which is how the language itself tells them from a division.
 */
function withoutComments(source: string): string {
  let out = ''
  let i = 0
  let previous = ''
  const templateDepth: number[] = []
  let braces = 0
  while (i < source.length) {
    const c = source[i] as string
    const next = source[i + 1]
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++
      continue
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      i = end === -1 ? source.length : end + 2
      out += ' '
      continue
    }
    if (c === "'" || c === '"' || (c === '/' && /^$|[(,=:[!&|?{};+\-*%<>~^]$/.test(previous))) {
      let j = i + 1
      let inClass = false
      while (j < source.length && source[j] !== '\n') {
        if (source[j] === '\\') j += 2
        else if (c === '/' && (source[j] === '[' || source[j] === ']')) {
          inClass = source[j] === '['
          j++
        } else if (source[j] === c && !inClass) break
        else j++
      }
      out += source.slice(i, j + 1)
      i = j + 1
      previous = 'x'
      continue
    }
    if (c === '`' || (c === '}' && templateDepth.at(-1) === braces)) {
      if (c === '}') templateDepth.pop()
      let j = i + 1
      while (
        j < source.length &&
        source[j] !== '`' &&
        !(source[j] === '$' && source[j + 1] === '{')
      )
        j += source[j] === '\\' ? 2 : 1
      out += source.slice(i, j + 1)
      if (source[j] === '$') {
        out += '{'
        templateDepth.push(braces)
        i = j + 2
        previous = '{'
      } else {
        i = j + 1
        previous = 'x'
      }
      continue
    }
    if (c === '{') braces++
    if (c === '}') braces--
    out += c
    if (!/\s/.test(c)) previous = c
    i++
  }
  return out
}

async function files(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await files(path)))
    else if (/\.(ts|js|html|css)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
      found.push(path)
  }
  return found
}

describe('the core speaks no pack language', () => {
  it('reads comments out and keeps strings, templates and regular expressions', () => {
    const code = [
      "const a = 'refund // kept' // refund gone",
      // A template with a placeholder: `x ${"ticket kept"} // kept too`.
      `/* ticket gone */ const b = \`x $\{"ticket kept"} // kept too\``,
      'const c = /escalat[/]e/g.test(d) / 2 // escalation gone',
    ].join('\n')
    const kept = withoutComments(code)
    expect(kept).toContain("'refund // kept'")
    expect(kept).toContain('"ticket kept"')
    expect(kept).toContain('// kept too`')
    expect(kept).toContain('/escalat[/]e/g')
    expect(kept).not.toMatch(/refund gone|ticket gone|escalation gone/)
  })

  it('has no support word in the code, strings or pages of src/', async () => {
    const root = packageRoot()
    const found: string[] = []
    for (const path of await files(join(root, 'src'))) {
      const name = relative(root, path)
      if (PACK_TEMPLATES.has(name)) continue
      const source = await readFile(path, 'utf8')
      const text = /\.(ts|js)$/.test(path) ? withoutComments(source) : source
      for (const line of text.split('\n')) {
        if (SUPPORT_WORDS.test(line)) found.push(`${name}: ${line.trim()}`)
      }
    }
    expect(found).toEqual([])
  })
})
