import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium the browser suite drives (CHROMIUM_PATH, default Debian's); null: none. */
    chromiumPath: string | null
  }
}

/** Finds the Chromium the browser suite drives; without one that suite is skipped, loudly. */
export default async function setup(project: TestProject): Promise<void> {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  const hasChromium = await access(chromium, constants.X_OK).then(
    () => true,
    () => false,
  )
  if (!hasChromium) {
    process.stdout.write(
      `\nNo Chromium at ${chromium}: the browser suite is SKIPPED.\n` +
        '.ci/run installs it (apt-get install chromium); CHROMIUM_PATH names another.\n\n',
    )
  }
  project.provide('chromiumPath', hasChromium ? chromium : null)
}
