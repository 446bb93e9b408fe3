import { join } from 'node:path'
import { packageRoot } from '../../src/lib/package-root.ts'
import type { DomainPack } from '../../src/pack/domain-pack.ts'
import { FIXTURE_ACTION_CLAIMS } from './action-claims.ts'
import { loadFixtureDemoData } from './demo-data.ts'
import { guidesImport } from './guides-import.ts'
import { ADA, FIXTURE_PEOPLE, ROSA } from './people.ts'
import { FIXTURE_SCOPES } from './scopes.ts'
import { bookRoomTool } from './tools/book-room.ts'
import { cancelBookingTool } from './tools/cancel-booking.ts'
import { getBookingTool } from './tools/get-booking.ts'

/**
 * The core's own tests run on this pack, not on a shipped one: one table (rooms people book), a
 * tool that reads, one that writes and records a business event, one the Worker asks a person to
 * approve, a CSV import, and a small library to search. Its words are nobody's business domain.
 */
export const fixturePack: DomainPack = {
  name: 'fixture',
  description: 'Rooms to book: the minimal pack the core is tested on',
  migrations: { name: 'fixture', dir: join(packageRoot(), 'test', 'fixture-pack', 'migrations') },
  loadDemoData: (db) => loadFixtureDemoData(db),
  csvImport: guidesImport,
  gateway: {
    persona: 'You are the room-booking Worker: you help people book meeting rooms.',
    rules: 'A person books and cancels only their own rooms; staff may look up anyone’s booking.',
    tools: [getBookingTool, bookRoomTool, cancelBookingTool],
    actionClaims: FIXTURE_ACTION_CLAIMS,
  },
  devAccounts: async () => [...FIXTURE_PEOPLE],
  demoPeople: { customer: ADA.sub, staff: ROSA.sub },
  scopes: FIXTURE_SCOPES,
}
