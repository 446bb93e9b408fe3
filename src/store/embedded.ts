import { setTimeout as sleep } from 'node:timers/promises'
import { CallerError } from '../lib/errors.ts'
import { breakStaleLock, claimDataDir } from './data-dir-lock.ts'
import type { Database } from './database.ts'
import { openPglite } from './pglite-database.ts'
import { isConnectionError, openServed } from './shared/served-database.ts'
import { takeOverWhenGone } from './shared/take-over.ts'

export interface EmbeddedOptions {
  dataDir: string
  /**
   * A process that runs until stopped (`fte serve`, `fte mcp`): when the process serving it the
   * database goes away, it takes the folder over and carries on.
   */
  lasting?: boolean
  /** Told when the data folder was open to other accounts (and has been tightened). */
  warn?: (message: string) => void
  /** Told what an operator may want to know: whom we wait for, who serves us now. */
  notice?: (message: string) => void
  /** Errors serving other processes, and on idle connections to the process that serves us. */
  onError?: (error: unknown) => void
  /** The process that serves `db` went away (an idle connection of ours was closed). */
  onHolderGone?: (db: Database) => void
  /** The longest one client's transaction may hold the database (the host's side). */
  turnLimitMs?: number
  /** How long to wait for a process that holds the folder but does not serve it yet. */
  waitMs?: number
}

/** The holder may be creating the database and applying migrations before it serves it. */
const WAIT_MS = 120_000

/**
 * The embedded database in `dataDir`, one way or the other: opened here when nothing holds the
 * folder (and then served to other local processes over a socket in it), or reached through the
 * process that holds it. Either way the caller gets the same `Database`.
 */
export async function openEmbedded(options: EmbeddedOptions): Promise<Database> {
  if (options.lasting !== true) return openOnce(options)
  let gone = (_: Database) => {}
  const watched: EmbeddedOptions = { ...options, onHolderGone: (db) => gone(db) }
  const lasting = takeOverWhenGone(await openOnce(watched), () => openOnce(watched), options)
  gone = lasting.gone
  return lasting.database
}

async function openOnce(options: EmbeddedOptions): Promise<Database> {
  const { dataDir } = options
  const deadline = Date.now() + (options.waitMs ?? WAIT_MS)
  let told = false
  let refusedBy: { text: string; since: number } | undefined
  while (true) {
    const claim = claimDataDir(dataDir, options.warn)
    if (claim.held) {
      return openPglite({
        dataDir,
        claim,
        ...(options.warn === undefined ? {} : { warn: options.warn }),
        share: {
          ...(options.turnLimitMs === undefined ? {} : { turnLimitMs: options.turnLimitMs }),
          onError: (error) => options.onError?.(error),
        },
      })
    }
    if (claim.socketDir !== undefined) {
      try {
        let served: Database | undefined
        served = await openServed({
          dataDir,
          pid: claim.pid,
          socketDir: claim.socketDir,
          onIdleError: (error) => {
            if (!isConnectionError(error)) options.onError?.(error)
            else if (served !== undefined) options.onHolderGone?.(served)
          },
        })
        return served
      } catch (error) {
        if (!isConnectionError(error)) throw error
        // A holder takes its socket down only after it has said so in the lock; a socket the lock
        // still names that nobody listens on is a dead holder's (its pid taken by another process).
        if (claim.text !== refusedBy?.text) refusedBy = { text: claim.text, since: Date.now() }
        else if (Date.now() - refusedBy.since > 2000) breakStaleLock(dataDir, claim.text)
      }
    }
    if (Date.now() > deadline) {
      throw new CallerError(
        'data_dir_in_use',
        `The embedded database in ${dataDir} is held by process ${claim.pid}, which has not served ` +
          `it to other processes within ${Math.round((options.waitMs ?? WAIT_MS) / 1000)} s. ` +
          'If that process is an older fte, stop it; otherwise see what it is doing.',
      )
    }
    if (!told && claim.socketDir === undefined) {
      told = true
      options.notice?.(`waiting for process ${claim.pid}, which is opening the embedded database`)
    }
    await sleep(100)
  }
}
