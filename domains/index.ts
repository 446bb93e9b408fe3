import type { DomainPack } from '../src/pack/domain-pack.ts'
import { readingRoomPack } from './reading-room/index.ts'
import { supportPack } from './support/index.ts'
import { tasksPack } from './tasks/index.ts'

/** The domain packs this build ships, by name (`FTE_DOMAIN`). */
export const domainPacks: Readonly<Record<string, DomainPack>> = {
  support: supportPack,
  tasks: tasksPack,
  'reading-room': readingRoomPack,
}
