import type { ToolContext } from '../../../src/pack/tool-definition.ts'

/** Where a reader left off, as kept in their saved state. */
export interface ReadingPosition {
  item: string
  title: string
  paragraph: number
}

/** Where this reader left off, if they saved a place. */
export async function savedPosition(ctx: ToolContext): Promise<ReadingPosition | undefined> {
  const { rows } = await ctx.tx.query<{ reading: ReadingPosition | null }>(
    `SELECT state->'reading' AS reading FROM user_state WHERE user_id = $1`,
    [ctx.identity.sub],
  )
  return rows[0]?.reading ?? undefined
}
