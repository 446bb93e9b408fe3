import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { init, parse } from 'es-module-lexer'
import { describe, expect, it } from 'vitest'
import { packageRoot } from './lib/package-root.ts'

/**
 * The layers of `src/`, top to bottom. A folder imports its own files and the folders of the
 * layers below it; never a folder above, nor another folder of its own layer.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['eval'],
  ['app'],
  ['http'],
  ['agent', 'jobs'],
  ['gateway'],
  ['pack'],
  ['auth', 'skills'],
  ['maintenance'],
  ['memory'],
  ['embedding'],
  ['audit'],
  ['store'],
  ['config', 'protocol'],
  ['lib'],
]

/** The one file that wires the shipped packs in: everything else in `src/` knows no pack. */
const WIRING = 'src/cli/cli-context.ts'

/** What a pack may use of the core: the contract and what lies below it. */
const PACK_MAY_USE = new Set(LAYERS.slice(LAYERS.findIndex((l) => l.includes('pack'))).flat())

const level = new Map(LAYERS.flatMap((folders, index) => folders.map((f) => [f, index] as const)))

async function sources(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await sources(path)))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path)
  }
  return found
}

/**
 * Every module a file names (static imports and re-exports, dynamic `import()`), read by a lexer:
 * an import-shaped line inside a string, a template or a comment is not an import.
 */
function specifiers(text: string): string[] {
  const [found] = parse(text)
  return found.flatMap((entry) => (entry.n === undefined ? [] : [entry.n]))
}

interface Import {
  from: string
  to: string
}

async function imports(root: string, dir: string): Promise<Import[]> {
  const all: Import[] = []
  for (const file of await sources(join(root, dir))) {
    const text = await readFile(file, 'utf8')
    for (const specifier of specifiers(text)) {
      if (!specifier.startsWith('.')) continue
      all.push({
        from: relative(root, file),
        to: relative(root, resolve(dirname(file), specifier)),
      })
    }
  }
  return all
}

/** Why an import of one core file by another breaks the layers; undefined when it does not. */
function breach({ from, to }: Import): string | undefined {
  const [, source] = from.split('/')
  const [top, target] = to.split('/')
  if (top === 'domains') return from === WIRING ? undefined : 'the core imports a pack'
  if (top !== 'src' || source === undefined || target === undefined || source === target) return
  const a = level.get(source)
  const b = level.get(target)
  if (a === undefined) return `src/${source}/ is in no layer`
  if (b === undefined) return `src/${target}/ is in no layer`
  if (b < a) return `src/${target}/ is above src/${source}/`
  if (b === a) return `src/${target}/ is beside src/${source}/`
  return undefined
}

await init

describe('the layers of the core', () => {
  it('puts every folder of src/ in a layer', async () => {
    const folders = (await readdir(join(packageRoot(), 'src'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    expect(folders.filter((folder) => !level.has(folder))).toEqual([])
  })

  it('has no import that points up or across the layer table', async () => {
    const found = await imports(packageRoot(), 'src')
    expect(found.length).toBeGreaterThan(300)
    const breaches = found.flatMap((i) => {
      const why = breach(i)
      return why === undefined ? [] : [`${i.from} -> ${i.to}: ${why}`]
    })
    expect(breaches).toEqual([])
  })

  it('lets a pack use only the contract and the layers below it', async () => {
    const root = packageRoot()
    // The shipped packs, and the fixture pack the core's own tests run on.
    const found = [
      ...(await imports(root, 'domains')),
      ...(await imports(root, 'test/fixture-pack')),
    ]
    expect(found.length).toBeGreaterThan(50)
    const breaches = found.filter(({ to }) => {
      const [top, folder] = to.split('/')
      return top === 'src' && !PACK_MAY_USE.has(folder ?? '')
    })
    expect(breaches.map(({ from, to }) => `${from} -> ${to}`)).toEqual([])
  })

  it('reads an import of every shape, so none slips past', () => {
    const text = [
      "import { a } from '../audit/a.ts'",
      "import type { B } from '../store/b.ts'",
      "export { c } from './c.ts'",
      "export * from '../lib/d.ts'",
      "const e = await import('../http/e.ts')",
      "import '../config/f.ts'",
      'import {\n  g,\n  h,\n} from "../memory/g.ts"',
      "const template = `import { x } from '../cli/x.ts'`",
    ].join('\n')
    expect(specifiers(text)).toEqual([
      '../audit/a.ts',
      '../store/b.ts',
      './c.ts',
      '../lib/d.ts',
      '../http/e.ts',
      '../config/f.ts',
      '../memory/g.ts',
    ])
  })
})
