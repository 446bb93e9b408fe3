import { commandComplete, errorResponse, type Frame, readCstring, readyForQuery } from './wire.ts'

/**
 * The answers to a client whose transaction the host rolled back at its turn limit, until the
 * client ends that transaction: each statement fails with `why` (SQLSTATE 25P03), an extended query
 * once and then nothing until Sync. ROLLBACK ends it; COMMIT ends it too, but fails, so no caller
 * takes the rollback for a commit. Returns what was written, whether the transaction is ended, and
 * the messages that came after (which run as usual).
 */
export function answerExpired(
  frames: Frame[],
  why: string,
  state: { skipping: boolean },
): { written: Buffer[]; ended: boolean; rest: Frame[] } {
  const written: Buffer[] = []
  const failed = () => errorResponse('ERROR', '25P03', why)
  for (const [i, frame] of frames.entries()) {
    if (frame.type === 'X') return { written, ended: false, rest: frames.slice(i) }
    if (frame.type === 'Q') {
      const sql = readCstring(frame.bytes, 5).text
      const ending = /^\s*(rollback|abort|commit|end)\b/i.exec(sql)?.[1]?.toLowerCase()
      if (ending === undefined) {
        written.push(failed(), readyForQuery('E'))
        continue
      }
      written.push(
        ending === 'rollback' || ending === 'abort' ? commandComplete('ROLLBACK') : failed(),
        readyForQuery('I'),
      )
      state.skipping = false
      return { written, ended: true, rest: frames.slice(i + 1) }
    }
    if (frame.type === 'S') {
      written.push(readyForQuery('E'))
      state.skipping = false
    } else if (!state.skipping) {
      written.push(failed())
      state.skipping = true
    }
  }
  return { written, ended: false, rest: [] }
}
