/**
 * A process that holds an embedded database and serves it, for tests of what other processes see.
 * `node hold-embedded.ts <dataDir> [turnLimitMs]`. It creates a table `t (id int, v text)`, prints
 * `ready`, then obeys lines on stdin: `insert <id>` (prints `inserted <id>` once committed),
 * `notify <payload>` on channel `fte_test`, `exit`. Notifications on `fte_test` print as `heard
 * <payload>`.
 */
import { createInterface } from 'node:readline'
import { openEmbedded } from '../../src/store/embedded.ts'

const [dataDir, turnLimit] = process.argv.slice(2)
if (dataDir === undefined) throw new Error('usage: hold-embedded.ts <dataDir> [turnLimitMs]')
const db = await openEmbedded({
  dataDir,
  ...(turnLimit === undefined ? {} : { turnLimitMs: Number(turnLimit) }),
  onError: (error) => process.stderr.write(`host error: ${(error as Error).message}\n`),
})
await db.exec('CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY, v text)')
await db.listen('fte_test', { payload: (payload) => process.stdout.write(`heard ${payload}\n`) })
process.stdout.write(`ready ${db.description}\n`)

for await (const line of createInterface({ input: process.stdin })) {
  const [command, argument = ''] = line.split(' ')
  if (command === 'insert') {
    await db.query(`INSERT INTO t VALUES ($1, 'holder')`, [Number(argument)])
    process.stdout.write(`inserted ${argument}\n`)
  } else if (command === 'notify') {
    await db.query(`SELECT pg_notify('fte_test', $1)`, [argument])
  } else if (command === 'exit') {
    break
  }
}
await db.close()
process.stdout.write('closed\n')
process.exit(0)
