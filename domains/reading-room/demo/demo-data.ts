import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DevAccount } from '../../../src/auth/dev-server.ts'
import { packageRoot } from '../../../src/lib/package-root.ts'
import type { DemoDataResult } from '../../../src/pack/domain-pack.ts'
import type { Database } from '../../../src/store/database.ts'

interface Article {
  id: string
  title: string
  author: string
  paragraphs: string[]
}

/** The readers of the development sign-in. */
export const READERS: readonly DevAccount[] = [
  { sub: 'demo|rui-costa', name: 'Rui Costa', email: 'rui.costa@example.com', role: 'customer' },
  { sub: 'demo|mei-chen', name: 'Mei Chen', email: 'mei.chen@example.org', role: 'customer' },
]

/**
 * The catalog (`seed/articles.json`) as `article` documents, which the server then embeds like any
 * other document; an article already there is left as it is.
 */
export async function loadCatalog(db: Database): Promise<DemoDataResult> {
  const file = join(packageRoot(), 'domains', 'reading-room', 'demo', 'articles.json')
  const articles = JSON.parse(await readFile(file, 'utf8')) as Article[]
  const { rowCount } = await db.query(
    `INSERT INTO documents (source, external_id, title, body, metadata)
     SELECT 'article', a.id, a.title, a.body, jsonb_build_object('article_id', a.id, 'author', a.author)
     FROM jsonb_to_recordset($1::jsonb) AS a(id text, title text, author text, body text)
     ON CONFLICT (source, external_id) DO NOTHING`,
    [
      JSON.stringify(
        articles.map((a) => ({ ...a, body: a.paragraphs.join('\n\n'), paragraphs: undefined })),
      ),
    ],
  )
  return { inserted: { documents: rowCount } }
}
