/** Calls running now, per identity: what the concurrency guard counts. One per gateway. */
export class InFlight {
  private readonly running = new Map<string, number>()

  /**
   * Takes a place for one call of `sub`'s unless `limit` are running. Synchronous, so calls
   * arriving together count each other; every true must be followed by one `leave`.
   */
  enter(sub: string, limit: number): boolean {
    const now = this.running.get(sub) ?? 0
    if (now >= limit) return false
    this.running.set(sub, now + 1)
    return true
  }

  leave(sub: string): void {
    const now = (this.running.get(sub) ?? 1) - 1
    if (now <= 0) this.running.delete(sub)
    else this.running.set(sub, now)
  }
}
