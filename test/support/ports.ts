import { createServer } from 'node:net'

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** Polls `probe` every 50 ms until it returns a value; throws after `limitMs`. */
export async function waitFor<T>(
  probe: () => T | undefined,
  what: string,
  limitMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
