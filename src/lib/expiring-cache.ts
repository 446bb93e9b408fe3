/**
 * A bounded map of values that expire, for results worth not recomputing on every request (a
 * verified token's claims, until the token expires). Oldest entries go first when it is full.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>()
  private readonly capacity: number

  constructor(capacity = 10_000) {
    this.capacity = capacity
  }

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= now) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    this.entries.set(key, { value, expiresAt })
  }
}
