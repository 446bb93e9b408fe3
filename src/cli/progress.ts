import cliProgress from 'cli-progress'

export interface Progress {
  update(done: number, total: number): void
  /** Ends the bar (or prints the last line) and leaves the cursor on a fresh line. */
  stop(): void
}

/**
 * Progress of long work on `stream`: a bar on a terminal; otherwise (CI, a log file, a pipe) a plain
 * line at each tenth of the way and at least every `intervalMs`, so a log shows it is alive.
 */
export function createProgress(
  stream: NodeJS.WritableStream,
  label: string,
  unit: string,
  intervalMs = 5000,
): Progress {
  if ((stream as { isTTY?: boolean }).isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WriteStream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    )
    let started = false
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, done)
          started = true
        } else {
          bar.setTotal(total)
          bar.update(done)
        }
      },
      stop() {
        if (started) bar.stop()
        started = false
      },
    }
  }

  let lastTenth = -1
  let lastAt = 0
  // The latest state when it was not printed: stop() prints it, so the log ends on the final count.
  let unprinted: [number, number] | undefined
  const print = (done: number, total: number) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100)
    stream.write(`${label}: ${done}/${total} ${unit} (${percent}%)\n`)
  }
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10)
      const now = Date.now()
      if (tenth !== lastTenth || now - lastAt >= intervalMs) {
        print(done, total)
        lastTenth = tenth
        lastAt = now
        unprinted = undefined
      } else {
        unprinted = [done, total]
      }
    },
    stop() {
      if (unprinted !== undefined) print(...unprinted)
      unprinted = undefined
    },
  }
}
