/** A new pack's files, by path inside `domains/<name>/`, and the name its index exports. */
export interface PackTemplate {
  exportName: string
  files: Record<string, string>
}

/**
 * The smallest pack that is whole: a table of items owned by the signed-in person, one tool that
 * lists them, persona and rules, a skill that uses the tool, a demo person with two items, and a
 * test of all of it against both databases: the skeleton to point at your own domain.
 */
export function packTemplate(name: string, description?: string): PackTemplate {
  const words = name.split('-')
  const camel = words.map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1))).join('')
  const snake = words.join('_')
  const title = `${name[0]?.toUpperCase()}${name.slice(1).replaceAll('-', ' ')}`
  const what = description ?? `The ${title.toLowerCase()} domain: your own items, listed`
  // The formatter's layout: on the key's line when it fits in 100 columns, else on the next.
  const describe =
    `  description: ${quoted(what)},`.length <= 100
      ? `description: ${quoted(what)},`
      : `description:\n    ${quoted(what)},`
  const exportName = `${camel}Pack`
  const table = `${snake}_items`
  const demoSub = `demo|${name}-user`
  return {
    exportName,
    files: {
      'index.ts': `import { fileURLToPath } from 'node:url'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { DEMO_ACCOUNTS, loadDemoData } from './demo/demo-data.ts'
import { PERSONA, RULES } from './gateway/persona.ts'
import { listItemsTool } from './gateway/tools/list-items.ts'

/** A folder of this pack, wherever the pack is. */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export const ${exportName}: DomainPack = {
  name: '${name}',
  ${describe}
  migrations: { name: '${name}', dir: here('./migrations') },
  loadDemoData: (db) => loadDemoData(db),
  gateway: { persona: PERSONA, rules: RULES, tools: [listItemsTool] },
  devAccounts: async () => [...DEMO_ACCOUNTS],
  // Who examples and development defaults act as (fte auth token, AUTH_DISABLED's stand-in).
  demoPeople: { customer: '${demoSub}' },
  skillsDir: here('./skills'),
  examplePrompt: 'What is on my list?',
}
`,
      [`migrations/001_${snake}.sql`]: `-- ${title}: the pack's first table. Every row belongs to a verified identity (users.id, the
-- token's sub), never to an id a model passes in. Add later changes as 002_..., 003_...: an
-- applied migration is never edited.
CREATE TABLE ${table} (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ${table}_user ON ${table} (user_id, created_at);
`,
      'gateway/persona.ts': `/** Who this pack's Worker is; begin_session and config_get_persona return it. */
export const PERSONA =
  'You are the ${title.toLowerCase()} assistant: friendly and brief. You help the signed-in person with their own items.'

/** The pack's rules, after the core's five (so they start at 6). */
export const RULES = \`6. Answer about items only from domain_list_items; never invent one.
7. For anything outside ${title.toLowerCase()}, say politely what you can help with.\`
`,
      'gateway/tools/list-items.ts': `import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../../src/pack/tool-definition.ts'

/** One of the pack's tools: it reads the caller's own rows only (ctx.identity.sub). */
export const listItemsTool = defineTool({
  name: 'domain_list_items',
  title: 'List my items',
  description: 'Lists the signed-in person’s ${title.toLowerCase()} items, newest first.',
  input: z.strictObject({ session: SESSION_ARGUMENT }),
  annotations: READ_ONLY,
  isolation: 'statement',
  async run(ctx) {
    const { rows } = await ctx.tx.query<{ title: string }>(
      'SELECT title FROM ${table} WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 100',
      [ctx.identity.sub],
    )
    return {
      data: { items: rows.map((r) => r.title) },
      text:
        rows.length === 0
          ? 'You have no items yet.'
          : rows.map((r, i) => \`\${i + 1}. \${r.title}\`).join('\\n'),
    }
  },
})
`,
      'demo/demo-data.ts': `import type { DevAccount } from '../../../src/auth/dev-server.ts'
import type { DemoDataResult } from '../../../src/pack/domain-pack.ts'
import type { Database } from '../../../src/store/database.ts'

/** Who the development sign-in offers for this pack. */
export const DEMO_ACCOUNTS: readonly DevAccount[] = [
  {
    sub: '${demoSub}',
    name: 'Demo User',
    email: 'demo.user@example.com',
    role: 'customer',
  },
]

/** The demo person and two items of theirs, once. */
export async function loadDemoData(db: Database): Promise<DemoDataResult> {
  return db.transaction(async (tx) => {
    const users = await tx.query(
      \`INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING\`,
      ['${demoSub}', 'demo.user@example.com', 'Demo User'],
    )
    const { rows } = await tx.query('SELECT 1 FROM ${table} WHERE user_id = $1 LIMIT 1', [
      '${demoSub}',
    ])
    if (rows.length > 0) return { inserted: { users: users.rowCount, items: 0 } }
    const items = await tx.query(
      \`INSERT INTO ${table} (user_id, title, created_at)
       VALUES ($1, 'First item', now() - interval '1 minute'), ($1, 'Second item', now())\`,
      ['${demoSub}'],
    )
    return { inserted: { users: users.rowCount, items: items.rowCount } }
  })
}
`,
      [`skills/${name}-overview/SKILL.md`]: `---
name: ${name}-overview
description: Gives the person a short overview of their ${title.toLowerCase()} items. Use when they ask what they have, what is on their list, or for a summary of their ${title.toLowerCase()} ("what do I have?", "show my items"). Calls domain_list_items.
license: MIT
metadata:
  domain: ${name}
  version: "1.0"
---

# ${title} overview

## Steps

1. Call \`domain_list_items\`.
2. If it returns none, say so and offer help getting started. Stop.
3. Otherwise give the count and the newest three by title, in one or two sentences.

## Example: two items

> You have two items; the newest is "Second item", then "First item".

## Example: none yet

> You have no items yet. Want help adding the first one?

## Edge cases

- Never list items the tool did not return, and never show ids or raw JSON.
`,
      [`${name}.test.ts`]: `import { validate as referenceValidate } from 'skills-ref'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { Identity } from '../../src/auth/identity.ts'
import { scopesFor } from '../../src/auth/scopes.ts'
import { REMINDER } from '../../src/gateway/call/answers.ts'
import { migrationSources } from '../../src/pack/domain-pack.ts'
import { validateSkillFolder } from '../../src/skills/validate-skills.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { describeEachEraAndDatabase } from '../../test/support/each-era-and-database.ts'
import { begin, call, connect, testGateway } from '../../test/support/gateway-client.ts'
import type { TestDatabase } from '../../test/support/test-databases.ts'
import { ${exportName} } from './index.ts'

const person = (sub: string): Identity => ({ sub, role: 'customer', scopes: scopesFor('customer') })

// Every gateway test runs twice: as a 2025 MCP client and as one pinned to 2026-07-28.
describeEachEraAndDatabase('the ${name} pack', (target, era) => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await target.open('empty')
    const migrated = await migrate(db, await loadMigrations(migrationSources(${exportName})))
    if (migrated.error) throw migrated.error
    await ${exportName}.loadDemoData?.(db)
  })
  afterEach(() => db.close())

  async function list(sub: string): Promise<string> {
    const client = await connect(await testGateway(db, { pack: ${exportName} }), person(sub), era)
    const reply = await call(client, 'domain_list_items', { session: await begin(client) })
    await client.close()
    expect(reply.isError, reply.text).toBe(false)
    return reply.text.replace(\`\\n\\n\${REMINDER}\`, '')
  }

  it('lists the signed-in person’s own items, and nobody else’s', async () => {
    expect(await list('${demoSub}')).toBe('1. Second item\\n2. First item')
    expect(await list('demo|someone-else')).toBe('You have no items yet.')
  })

  it('ships a skill that passes validation', async () => {
    const folder = new URL('./skills/${name}-overview', import.meta.url).pathname
    expect((await validateSkillFolder(folder)).problems).toEqual([])
    expect(await referenceValidate(folder)).toEqual([])
  })
})
`,
    },
  }
}

/** `text` as a TypeScript string, quoted as the project's formatter quotes it (fewest escapes). */
function quoted(text: string): string {
  const singles = text.split("'").length - 1
  const doubles = text.split('"').length - 1
  const quote = doubles < singles ? '"' : "'"
  return `${quote}${text.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`)}${quote}`
}
