// One job-running replica for the benchmark, in a process of its own as `fte serve` is: the job
// engine on the Postgres at argv[2] with one no-op task, `concurrency` (argv[3]) jobs at once.
// Prints "ready" once it runs; stops cleanly when its stdin closes.
import { Writable } from 'node:stream'
import { startJobEngine } from '../../src/jobs/job-engine.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { openPostgres } from '../../src/store/postgres-database.ts'
import { NOOP_TASK } from '../lib/queue-drain.ts'

const [url, concurrency = '2'] = process.argv.slice(2)
if (url === undefined) throw new Error('usage: job-drainer.ts <postgres-url> [concurrency]')
const logger = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
})
const db = await openPostgres({ url, poolMax: 2 })
const engine = await startJobEngine({
  db,
  tasks: { [NOOP_TASK]: async () => {} },
  concurrency: Number(concurrency),
  logger,
})
process.stdout.write('ready\n')
process.stdin.resume()
process.stdin.on('end', async () => {
  await engine.stop()
  await db.close()
  process.exit(0)
})
