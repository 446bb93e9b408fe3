import { isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { integer, optionalSetting, setting } from '../settings.ts'

/** FTE_DATA_DIR, absolute: relative to `cwd` when given relative. */
export const dataDirSetting = (cwd: string) =>
  setting(z.string(), '.fte').transform((dir) => (isAbsolute(dir) ? dir : resolve(cwd, dir)))

export const databaseSection = (cwd: string) =>
  z
    .object({
      DATABASE_URL: optionalSetting(
        z.string().refine(isPostgresUrl, {
          // Never echo the value: it usually carries a password.
          error: 'must be a postgres:// or postgresql:// connection URL (value not shown)',
        }),
      ),
      FTE_DATA_DIR: dataDirSetting(cwd),
      DATABASE_POOL_MAX: setting(integer(1, 1000), 10),
      DATABASE_CONNECT_TIMEOUT_MS: setting(integer(100, 600_000), 10_000),
    })
    .transform((e) => ({
      /** Set: a Postgres server (node-postgres pool). Unset: the embedded PGlite database. */
      url: e.DATABASE_URL,
      /** Where the embedded database keeps its files; absolute. */
      dataDir: e.FTE_DATA_DIR,
      poolMax: e.DATABASE_POOL_MAX,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    }))

export type DatabaseConfig = z.output<ReturnType<typeof databaseSection>>

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== ''
  } catch {
    return false
  }
}
