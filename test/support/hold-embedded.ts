/**
 * A process on an embedded data folder, for tests of what other processes see:
 * `node hold-embedded.ts <dataDir> [turnLimitMs] [lasting]`. The first on a folder holds it and
 * serves it; with `lasting` it carries on when its holder goes. It creates a table
 * `t (id int, v text)`, prints `ready <description>`, then obeys lines on stdin: `insert <id>`
 * (prints `inserted <id>` once committed, or `failed <message>`), `notify <payload>` on channel
 * `fte_test`, `describe` (prints `is <description>`), `exit`. Notifications on `fte_test` print as
 * `heard <payload>`.
 */
import { createInterface } from 'node:readline'
import { openEmbedded } from '../../src/store/embedded.ts'

const [dataDir, turnLimit, lasting] = process.argv.slice(2)
if (dataDir === undefined)
  throw new Error('usage: hold-embedded.ts <dataDir> [turnLimitMs] [lasting]')
const db = await openEmbedded({
  dataDir,
  ...(turnLimit === undefined || turnLimit === '' ? {} : { turnLimitMs: Number(turnLimit) }),
  lasting: lasting === 'lasting',
  onError: (error) => process.stderr.write(`host error: ${(error as Error).message}\n`),
})
await db.exec('CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY, v text)')
await db.listen('fte_test', { payload: (payload) => process.stdout.write(`heard ${payload}\n`) })
process.stdout.write(`ready ${db.description}\n`)

for await (const line of createInterface({ input: process.stdin })) {
  const [command, argument = ''] = line.split(' ')
  try {
    if (command === 'insert') {
      await db.query(`INSERT INTO t VALUES ($1, 'holder')`, [Number(argument)])
      process.stdout.write(`inserted ${argument}\n`)
    } else if (command === 'notify') {
      await db.query(`SELECT pg_notify('fte_test', $1)`, [argument])
    } else if (command === 'describe') {
      process.stdout.write(`is ${db.description}\n`)
    } else if (command === 'exit') {
      break
    }
  } catch (error) {
    process.stdout.write(`failed ${(error as Error).message}\n`)
  }
}
await db.close()
process.stdout.write('closed\n')
process.exit(0)
