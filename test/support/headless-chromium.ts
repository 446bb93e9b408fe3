import { type Browser, chromium, type Page } from 'playwright-core'

/** Chromium, headless, at `executablePath` (the suite's setup finds it). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    // The flags keep Chromium off the network it would otherwise try to reach at start.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/**
 * What goes wrong in a page from now on, as it happens: script errors, and console errors (a
 * failed load, a style or script the content security policy refused).
 */
export function problemsOf(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const at = message.location().url
    problems.push(`console: ${message.text()}${at ? ` (${at})` : ''}`)
  })
  return problems
}
