/** Polls `done` every 100 ms until it holds; fails after `limitMs`. For conditions read from a database. */
export async function until(done: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not done within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
