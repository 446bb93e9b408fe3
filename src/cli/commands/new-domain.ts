import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { ConflictError, InvalidInputError, NotFoundError } from '../../lib/errors.ts'
import { packageRoot } from '../../lib/package-root.ts'
import type { CliContext } from '../cli-context.ts'
import { packTemplate } from './new-domain-template.ts'

export interface NewDomainOptions {
  description?: string
  /** The project folder holding `domains/index.ts`; default: this one. */
  root?: string
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
/** Names taken by the core (its migration source) or by the registry file itself. */
const RESERVED = new Set(['core', 'index', 'src', 'test'])

/**
 * `fte new-domain <name>`: writes a small working pack into `domains/<name>/` (a migration, one
 * tool, persona and rules, one skill, demo data, a test) and adds it to `domains/index.ts`, so
 * `npm test -- domains/<name>` passes and `fte serve --domain <name>` serves it at once.
 */
export async function newDomainCommand(
  context: CliContext,
  name: string,
  options: NewDomainOptions,
): Promise<void> {
  if (!NAME.test(name) || name.length > 40) {
    throw new InvalidInputError(
      `"${name.slice(0, 60)}" is not a pack name: lowercase letters and digits, words joined by ` +
        'single hyphens, at most 40 characters (pet-clinic, library).',
    )
  }
  if (RESERVED.has(name)) {
    throw new InvalidInputError(`"${name}" is reserved by the core: pick another name.`)
  }
  const root = options.root ?? packageRoot()
  const registry = join(root, 'domains', 'index.ts')
  const dir = join(root, 'domains', name)
  if (existsSync(dir)) {
    throw new ConflictError(`domains/${name} already exists: pick another name.`)
  }
  const source = await readFile(registry, 'utf8').catch(() => {
    throw new NotFoundError(`There is no ${registry}: is --root the project folder?`)
  })
  if (new RegExp(`^\\s*'?${name}'?:`, 'm').test(source)) {
    throw new ConflictError(`domains/index.ts already lists a pack named ${name}.`)
  }
  const pack = packTemplate(name, options.description)
  const registered = register(source, name, pack.exportName)
  for (const [path, text] of Object.entries(pack.files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  await writeFile(registry, registered)
  const shown = relative(context.cwd, dir) || '.'
  context.stdout.write(
    `Created the ${name} domain pack in ${shown}/:\n` +
      Object.keys(pack.files)
        .sort()
        .map((path) => `  ${path}\n`)
        .join('') +
      `and added it to domains/index.ts.\n\nNext:\n` +
      `  npm test -- domains/${name}          its own test, on the embedded database\n` +
      `  npm start -- --domain ${name}       serve it (sign in as its demo user)\n` +
      `Then make it yours: the table in migrations/, a file per tool in gateway/tools/, the persona and\n` +
      `rules in gateway/persona.ts, the skill in skills/, the demo rows in demo/demo-data.ts.\n`,
  )
}

/**
 * The registry with the new pack's import and entry added, as the formatter would have them: the
 * pack imports sorted by path, the key quoted only when it must be.
 */
function register(source: string, name: string, exportName: string): string {
  const packImports = [...source.matchAll(/^import \{ \w+ \} from '\.\/([^']+)\/index\.ts'$/gm)]
  if (!/export const domainPacks[^{]*\{\n[\s\S]*?\n\}/.test(source) || packImports.length === 0) {
    throw new InvalidInputError(
      'domains/index.ts is not in the shape this command edits; add the pack there by hand.',
    )
  }
  const importLine = `import { ${exportName} } from './${name}/index.ts'`
  const before = packImports.find((m) => (m[1] ?? '') > name)
  const withImport =
    before === undefined
      ? source.replace(packImports.at(-1)?.[0] ?? '', (last) => `${last}\n${importLine}`)
      : source.replace(before[0], `${importLine}\n${before[0]}`)
  const key = /^[a-z][a-z0-9]*$/.test(name) ? name : `'${name}'`
  return withImport.replace(
    /(export const domainPacks[^{]*\{\n[\s\S]*?)\n\}/,
    `$1\n  ${key}: ${exportName},\n}`,
  )
}
