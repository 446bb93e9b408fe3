// Starts the embedded database the way `fte serve` does, in a process of its own so nothing is
// warm: open the data folder, migrate, index, load demo data, close.
import { Writable } from 'node:stream'
import { supportPack } from '../../domains/support/index.ts'
import { prepareDatabase } from '../../src/app/prepare-database.ts'
import { createLocalEmbedder } from '../../src/embedding/local-embedder.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { openPglite } from '../../src/store/pglite-database.ts'

const dataDir = process.argv[2]
if (dataDir === undefined) throw new Error('usage: embedded-start.ts <data-dir> [--open-only]')
const db = await openPglite({ dataDir })
if (!process.argv.includes('--open-only')) {
  await prepareDatabase(db, {
    pack: supportPack,
    embedder: createLocalEmbedder(1024, supportPack.lexicon),
    demoData: true,
    logger: createLogger({
      level: 'silent',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
  })
}
await db.close()
