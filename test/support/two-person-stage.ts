import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import type { Database } from '../../src/store/database.ts'
import { openPglite } from '../../src/store/pglite-database.ts'
import { openPostgres } from '../../src/store/postgres-database.ts'
import { problemsOf } from './headless-chromium.ts'
import { emptyPostgresDatabase } from './scratch-postgres.ts'
import { scriptedModel } from './scripted-model.ts'
import type { ScriptedOpenAiServer } from './scripted-openai-server.ts'
import { type ServedFte, serveFte } from './serve-fte.ts'
import { sideBySide } from './side-by-side.ts'

export interface TwoPersonStage {
  /** The customer's page and the staff member's, each in its own browser context. */
  readonly maya: Page
  readonly sam: Page
  readonly model: ScriptedOpenAiServer
  readonly server: ServedFte
  /** Signs in through the development sign-in page; resolves once `ready` shows. */
  signIn(page: Page, who: RegExp, signedInAs: string, ready: Locator): Promise<void>
  /** Nothing on the page was loaded again since it signed in: the same document, changed live. */
  sameDocument(page: Page): Promise<boolean>
  /** Both pages side by side in `<artifacts>/story-<step>-<name>-<database>.png`. */
  shot(step: number, name: string): Promise<void>
  /** What went wrong in either page so far: script errors, console errors, CSP refusals. */
  problems(): string[]
  /** Stops the server and opens its database, as an operator would read it afterwards. */
  storedDatabase(): Promise<Database>
}

/**
 * The suite's stage for a story two people play on one real server: `fte serve` on a fresh data
 * folder with a scripted model, on the embedded database or a fresh Postgres one, and a browser
 * context for each person. Registers its own set-up and tear-down hooks.
 */
export function twoPersonStage(
  database: 'pglite' | 'postgres',
  browser: () => Browser,
  artifacts: string,
): TwoPersonStage {
  let dir = ''
  let model: ScriptedOpenAiServer
  let server: ServedFte
  let postgres: Awaited<ReturnType<typeof emptyPostgresDatabase>> | undefined
  const contexts: BrowserContext[] = []
  const pages: Page[] = []
  const problems: string[][] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-story-'))
    model = await scriptedModel().start()
    postgres = database === 'postgres' ? await emptyPostgresDatabase() : undefined
    server = await serveFte(dir, {
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: model.url,
      LLM_MODEL: 'gpt-4o-mini',
      ...(postgres === undefined ? {} : { DATABASE_URL: postgres.url }),
    })
    for (const viewport of [
      { width: 900, height: 800 },
      { width: 1280, height: 800 },
    ]) {
      const context = await browser().newContext({ viewport })
      contexts.push(context)
      const page = await context.newPage()
      problems.push(problemsOf(page))
      pages.push(page)
    }
  }, 180_000)
  afterAll(async () => {
    for (const context of contexts) await context.close()
    await server?.stop()
    await model?.stop()
    await postgres?.drop()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  const page = (index: number) => {
    const found = pages[index]
    if (found === undefined) throw new Error('the stage is not set up')
    return found
  }
  return {
    get maya() {
      return page(0)
    },
    get sam() {
      return page(1)
    },
    get model() {
      return model
    },
    get server() {
      return server
    },
    async signIn(on, who, signedInAs, ready) {
      await on.goto(server.url)
      await on.getByRole('button', { name: 'Sign in' }).click()
      await on.waitForURL((url) => url.origin !== server.url)
      await on.getByRole('button', { name: who }).click()
      await on.getByText(`Signed in as ${signedInAs}`).waitFor()
      await ready.waitFor()
      await on.evaluate('window.storyDocument = true')
    },
    async sameDocument(on) {
      return (await on.evaluate('window.storyDocument')) === true
    },
    shot: (step, name) =>
      sideBySide(browser(), join(artifacts, `story-${step}-${name}-${database}.png`), [
        { label: 'Maya Okafor, customer', page: page(0) },
        { label: 'Sam Patel, support staff', page: page(1) },
      ]),
    problems: () => problems.flat(),
    async storedDatabase() {
      await server.stop()
      return postgres === undefined
        ? openPglite({ dataDir: join(dir, 'data') })
        : openPostgres({ url: postgres.url })
    },
  }
}
