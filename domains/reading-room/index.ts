import { join } from 'node:path'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { READING_ROOM_ACTION_CLAIMS } from './action-claims.ts'
import { loadCatalog, READERS } from './demo/demo-data.ts'
import { READING_ROOM_PERSONA, READING_ROOM_RULES } from './gateway/persona.ts'
import { getItemTool } from './gateway/tools/get-item.ts'
import { saveReadingPositionTool } from './gateway/tools/save-reading-position.ts'
import { searchTool } from './gateway/tools/search.ts'

/** The Reading Room: a catalog to search by meaning and read, and each reader's place. */
export const readingRoomPack: DomainPack = {
  name: 'reading-room',
  description: 'The Reading Room: short articles to find by meaning and read, your place kept',
  migrations: {
    name: 'reading-room',
    dir: join(packageRoot(), 'domains', 'reading-room', 'migrations'),
  },
  loadDemoData: (db) => loadCatalog(db),
  gateway: {
    persona: READING_ROOM_PERSONA,
    rules: READING_ROOM_RULES,
    tools: [getItemTool, searchTool, saveReadingPositionTool],
    actionClaims: READING_ROOM_ACTION_CLAIMS,
  },
  devAccounts: async () => [...READERS],
  demoPeople: { customer: 'demo|rui-costa' },
  examplePrompt: 'Find me something about sleep, and keep my place.',
  evalsDir: join(packageRoot(), 'domains', 'reading-room', 'evals'),
}
