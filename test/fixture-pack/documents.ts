import type { JsonObject } from '../../src/lib/json.ts'
import type { Queryable } from '../../src/store/database.ts'

export interface FixtureDocument {
  source: string
  externalId: string
  title: string
  body: string
  metadata: JsonObject
}

/**
 * Adds the documents not there yet (by source and id) to the library; how many it added. The
 * core embeds them afterwards (at start-up, `fte embed`, or the CSV import that added them).
 */
export async function addDocuments(
  tx: Queryable,
  documents: readonly FixtureDocument[],
): Promise<number> {
  const { rowCount } = await tx.query(
    `INSERT INTO documents (source, external_id, title, body, metadata)
     SELECT source, external_id, title, body, metadata
     FROM jsonb_to_recordset($1::jsonb)
       AS d(source text, external_id text, title text, body text, metadata jsonb)
     ON CONFLICT (source, external_id) DO NOTHING`,
    [
      JSON.stringify(
        documents.map((d) => ({
          source: d.source,
          external_id: d.externalId,
          title: d.title,
          body: d.body,
          metadata: d.metadata,
        })),
      ),
    ],
  )
  return rowCount
}
