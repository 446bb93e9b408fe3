import { people } from '../memory/people.ts'
import type { Timeline } from '../memory/timeline.ts'
import { type KnownPeople, type KnownPerson, subjectsOf } from '../memory/timeline-actors.ts'
import type { DomainPack } from '../pack/domain-pack.ts'
import type { Database } from '../store/database.ts'

/**
 * Who the people of a timeline are: the name they signed in with, else the pack's demo account
 * of them (a person the command line acted as never gave a name), else their email, else their
 * subject; and the role of a demo account.
 */
export async function timelinePeople(
  db: Database,
  pack: DomainPack,
  timeline: Timeline,
): Promise<KnownPeople> {
  const subs = subjectsOf(timeline)
  const [signedIn, accounts] = await Promise.all([
    people.names(db, subs),
    pack.devAccounts?.(db).catch(() => []) ?? [],
  ])
  const demo = new Map(accounts.map((a) => [a.sub, a]))
  const known = new Map<string, KnownPerson>()
  for (const [sub, found] of signedIn) {
    const account = demo.get(sub)
    const named = found.name !== found.email && found.name !== sub
    known.set(sub, {
      name: named ? found.name : (account?.name ?? found.name),
      role: account?.role,
    })
  }
  return known
}
