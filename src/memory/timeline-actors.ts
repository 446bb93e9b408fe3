import type { Timeline } from './timeline.ts'

/** What is known of a person, by subject: the name to show, and their role when known. */
export interface KnownPerson {
  name: string
  role?: string | undefined
}

export type KnownPeople = ReadonlyMap<string, KnownPerson>

/**
 * Who did something in a replay, named one way throughout: a person as "Maya Chen (customer)",
 * staff as "Sam Rivera (staff)", the Worker as "Worker for Maya Chen", and "system". The names
 * come from `people`; roles from the trail itself first (a staff actor, a session's role), then
 * from `people`; the conversation's own person is a customer unless the trail says otherwise.
 */
export class ActorNames {
  readonly owner: string | null
  readonly #people: KnownPeople
  readonly #roles = new Map<string, string>()
  /** Whether the Worker acted here: then the gateway's calls for the owner are the Worker's. */
  readonly #worker: boolean

  constructor(timeline: Timeline, people: KnownPeople) {
    this.owner = timeline.conversation?.userId ?? null
    this.#people = people
    let worker = false
    for (const event of timeline.events) {
      if (event.kind === 'message') {
        if (event.author !== null) this.#roles.set(event.author, 'staff')
        continue
      }
      const [kind, sub] = split(event.actor)
      if (kind === 'worker') worker = true
      if (kind === 'staff' && sub !== null) this.#roles.set(sub, 'staff')
      const role = (event.payload as { role?: unknown } | null)?.role
      if (event.action === 'session_started' && sub !== null && typeof role === 'string') {
        this.#roles.set(sub, role)
      }
    }
    this.#worker = worker
  }

  /** The name an audit row's `actor` stands for. */
  of(actor: string): string {
    const [kind, sub, note] = split(actor)
    const suffix = note === null ? '' : ` ${note}`
    if (kind === 'system') return `system${suffix}`
    if (kind === 'worker') return `${this.worker(sub)}${suffix}`
    if (kind === 'gateway' && sub !== null) {
      // The gateway records its caller: in a Worker's conversation, the Worker calls for its person.
      return sub === this.owner && this.#worker ? this.worker() : this.person(sub)
    }
    return `${this.person(sub ?? actor)}${suffix}`
  }

  /** The person an actor column names (`worker:<sub>` recording what that person decided). */
  subjectOf(actor: string): string | null {
    return split(actor)[1]
  }

  person(sub: string): string {
    const name = this.name(sub)
    const role =
      this.#roles.get(sub) ??
      this.#people.get(sub)?.role ??
      (sub === this.owner ? 'customer' : undefined)
    // A name that carries its own note ("Sam Patel (support staff)") is not given a second one.
    return role === undefined || /\)$/.test(name) ? name : `${name} (${role})`
  }

  /** The Worker, acting for the conversation's person (`sub` when the conversation is gone). */
  worker(sub: string | null = null): string {
    const person = this.owner ?? sub
    return person === null ? 'Worker' : `Worker for ${this.name(person)}`
  }

  name(sub: string): string {
    return this.#people.get(sub)?.name ?? sub
  }
}

/** The subjects a timeline mentions: its person, the people in its actors, its messages' authors. */
export function subjectsOf(timeline: Timeline): string[] {
  const subs = new Set<string>()
  if (timeline.conversation !== null) subs.add(timeline.conversation.userId)
  for (const event of timeline.events) {
    if (event.kind === 'message') {
      if (event.author !== null) subs.add(event.author)
      continue
    }
    const [kind, sub] = split(event.actor)
    if (sub !== null && kind !== 'system') subs.add(sub)
  }
  return [...subs]
}

/**
 * `gateway:demo|maya` → gateway, demo|maya. A note in brackets at the end stays apart
 * (`worker:support (demo data)`); `worker:cli` and `worker:serve` name the process, not a person.
 */
function split(actor: string): [string, string | null, string | null] {
  const noted = /^(.*?)\s*(\([^()]*\))$/.exec(actor)
  const bare = noted?.[1] ?? actor
  const note = noted?.[2] ?? null
  const colon = bare.indexOf(':')
  if (colon < 0) return [bare === 'system' ? 'system' : 'person', null, note]
  const kind = bare.slice(0, colon)
  const rest = bare.slice(colon + 1)
  const process = kind === 'worker' && (rest === 'cli' || rest === 'serve')
  return [kind, process || rest === '' ? null : rest, note]
}
