import { join } from 'node:path'
import { writeAudit } from '../../src/audit/audit-writer.ts'
import { readCsvFile } from '../../src/embedding/ingest/read-csv.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import { transcriptDigest } from '../../src/memory/conversation-summaries.ts'
import { conversations } from '../../src/memory/conversations.ts'
import { people } from '../../src/memory/people.ts'
import type { DemoDataResult } from '../../src/pack/domain-pack.ts'
import type { Database, Queryable } from '../../src/store/database.ts'
import { addDocuments } from './documents.ts'
import { guidesImport } from './guides-import.ts'
import { FIXTURE_PEOPLE } from './people.ts'

/** The sample of `fte seed` for this pack, which the demo data loads too. */
export const GUIDES_CSV = join(packageRoot(), 'test', 'fixture-pack', 'guides.csv')

/** A fixed id: loading again finds the conversation there and leaves it be. */
const DEMO_CONVERSATION_ID = '3b9d6f2a-1c4e-4f70-8a5b-6d2e0c9f1a7b'

/** Each person's bookings, by days from today. */
const BOOKINGS: Record<string, ReadonlyArray<{ room: string; inDays: number }>> = {
  'demo|ada-park': [
    { room: 'Aurora', inDays: 1 },
    { room: 'Birch', inDays: 3 },
  ],
  'demo|ben-cole': [{ room: 'Cedar', inDays: 2 }],
}

const FAQS = [
  {
    id: 'someone-else',
    title: 'Can I book for someone else?',
    body: 'No: a booking belongs to the person who makes it. Staff can look up anyone’s booking.',
  },
  { id: 'how-far', title: 'How far ahead can I book?', body: 'Up to ninety days ahead.' },
]

/**
 * The demo people, their bookings, the guides and questions of the library (`guide` and `faq`
 * documents, embedded by the start-up like any other) and one ended conversation. Safe to load
 * again: what is there is left as it is, and the counts are then all zero.
 */
export async function loadFixtureDemoData(db: Database): Promise<DemoDataResult> {
  const guides = await readCsvFile(GUIDES_CSV, guidesImport)
  return db.transaction(async (tx) => {
    let bookings = 0
    for (const person of FIXTURE_PEOPLE) {
      await people.seen(tx, person)
      bookings += await addBookings(tx, person.sub, BOOKINGS[person.sub] ?? [])
    }
    const imported = await guidesImport.importRecords(tx, guides.records)
    const faqs = await addDocuments(
      tx,
      FAQS.map((f) => ({
        source: 'faq',
        externalId: f.id,
        title: f.title,
        body: f.body,
        metadata: {},
      })),
    )
    const documents = (imported.inserted.documents ?? 0) + faqs
    return { inserted: { bookings, documents, conversations: await addConversation(tx) } }
  })
}

/** A person's bookings, unless they have some already. */
async function addBookings(
  tx: Queryable,
  sub: string,
  bookings: ReadonlyArray<{ room: string; inDays: number }>,
): Promise<number> {
  const { rows } = await tx.query('SELECT 1 FROM bookings WHERE user_id = $1 LIMIT 1', [sub])
  if (rows.length > 0) return 0
  for (const [index, booking] of bookings.entries()) {
    await tx.query(
      `INSERT INTO bookings (user_id, number, room, day) VALUES ($1, $2, $3, current_date + $4::int)`,
      [sub, index + 1, booking.room, booking.inDays],
    )
  }
  return bookings.length
}

/**
 * Ada's conversation about a projector, ended with its summary: the one conversation memory has
 * to find. Written through memory/ and the audit writer, as the Worker writes one.
 */
async function addConversation(tx: Queryable): Promise<number> {
  const conversationId = DEMO_CONVERSATION_ID
  if (!(await conversations.createWithId(tx, conversationId, 'demo|ada-park', { demo: true }))) {
    return 0
  }
  const actor = 'worker:fixture (demo data)'
  await conversations.appendMessage(tx, {
    conversationId,
    role: 'user',
    content: 'The projector in Aurora showed no picture during my meeting this morning.',
  })
  await writeAudit(tx, { action: 'message_received', actor, conversationId })
  await conversations.appendMessage(tx, {
    conversationId,
    role: 'assistant',
    content: 'Sorry about that: the input switch by the door selects the projector. I noted it.',
  })
  await writeAudit(tx, { action: 'message_sent', actor, conversationId })
  const summary = await transcriptDigest.summarise(await conversations.messages(tx, conversationId))
  await conversations.end(tx, conversationId, summary)
  return 1
}
