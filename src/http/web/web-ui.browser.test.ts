import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium, problemsOf } from '../../../test/support/headless-chromium.ts'
import { reply, scriptedModel } from '../../../test/support/scripted-model.ts'
import type { ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.ts'
import { type ServedFte, serveFte } from '../../../test/support/serve-fte.ts'
import { scriptScenario } from '../../../test/support/support-scenario.ts'
import { packageRoot } from '../../lib/package-root.ts'

const chromiumPath = inject('chromiumPath')
/** Where the screenshots go: kept after the run (git ignores the folder). */
const artifacts = join(packageRoot(), 'test-artifacts', 'web')
const MESSAGE = "I haven't received my refund from order #4429, it's been two weeks."

describe.skipIf(chromiumPath === null)('the web UI in headless Chromium', () => {
  let browser: Browser
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-web-'))
    await mkdir(artifacts, { recursive: true })
    browser = await launchChromium(chromiumPath ?? '')
  })
  afterAll(async () => {
    await browser?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** A page, and what went wrong in it: script errors, failed loads, CSP violations. */
  async function newPage(viewport = { width: 1280, height: 800 }) {
    const page = await browser.newPage({ viewport })
    return { page, problems: problemsOf(page) }
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })

  describe('with a model, signed in through the development authorization server', () => {
    let model: ScriptedOpenAiServer
    let server: ServedFte
    beforeAll(async () => {
      model = await scriptedModel().start()
      scriptScenario(model)
      server = await serveFte(join(dir, 'model'), {
        LLM_PROVIDER: 'compatible',
        LLM_BASE_URL: model.url,
        LLM_MODEL: 'gpt-4o-mini',
        // The tests below send a few turns in quick succession: the default burst is 5.
        CHAT_RATE_BURST: '20',
      })
    }, 120_000)
    afterAll(async () => {
      await server?.stop()
      await model?.stop()
    })

    it('signs in, streams the #4429 turn with its skill and tool lines, takes both approvals from the keyboard and mouse, and shows the audit trail', async () => {
      const { page, problems } = await newPage()
      await page.goto(server.url)
      await page.getByRole('button', { name: 'Sign in' }).click()
      // The issuer's own page: pick a demo customer.
      await page.waitForURL((url) => url.origin !== server.url)
      await shot(page, '1-sign-in-page')
      await page.getByRole('button', { name: /Maya Okafor/ }).click()
      await expect
        .poll(() => page.getByText('Signed in as maya.okafor@example.com (customer)').count())
        .toBe(1)
      expect(new URL(page.url()).search).toBe('')
      await shot(page, '2-signed-in')

      const message = page.getByLabel('Message')
      await message.fill(MESSAGE)
      const streamed = page.waitForResponse((r) => r.url().endsWith('/api/chat'))
      await message.press('Enter')
      expect((await streamed).headers()['content-type']).toContain('text/event-stream')
      const transcript = page.getByRole('log')
      const refundCard = transcript.locator('li.approval').first()
      await refundCard.waitFor()
      await expect.poll(() => transcript.innerText()).toContain('Waiting for your decision above')
      // The customer reads what the assistant is doing in words: an activity line per tool call
      // (the server's plain line, or a neutral one), each ticked once answered; never a tool's
      // name, its arguments or its raw result.
      const activities = transcript.locator('li.activity')
      expect(await activities.count()).toBeGreaterThanOrEqual(2)
      for (const line of await activities.allInnerTexts()) expect(line).toMatch(/…/)
      expect(await transcript.locator('li.activity.done').count()).toBeGreaterThanOrEqual(2)
      const firstTurn = await transcript.innerText()
      expect(firstTurn).not.toMatch(/domain_|find-similar-cases|\{"|\$219\.00, refunded/)
      // The turn paused: the keyboard is on the request's Approve button.
      expect(
        await page.evaluate(
          'document.activeElement.closest(".approval") !== null && document.activeElement.textContent',
        ),
      ).toBe('Approve')
      // The consent card asks in words; its details are folded away until asked for.
      expect(await refundCard.locator('.consent-title').innerText()).toMatch(
        // Within the self-serve limit the customer consents herself; above it, she consents to
        // asking a support lead.
        /refund \$219\.00 (on|to your card for|for) order #4429\??$/i,
      )
      const details = refundCard.locator('dl.summary')
      expect(await details.isVisible()).toBe(false)
      await refundCard.getByText('Details').click()
      expect(await details.isVisible()).toBe(true)
      await shot(page, '3-refund-approval')

      // Approve the refund with the mouse: the gateway blocks it, and the assistant asks to escalate.
      await refundCard.getByRole('button', { name: 'Approve' }).click()
      const escalationCard = transcript.locator('li.approval').nth(1)
      await escalationCard.waitFor()
      expect(await escalationCard.locator('.consent-title').innerText()).toMatch(/ticket T-\d+/)
      await expect.poll(() => refundCard.innerText()).toContain('Approved.')
      await shot(page, '4-escalation-approval')

      // Approve the escalation from the keyboard.
      await escalationCard.getByRole('button', { name: 'Approve' }).focus()
      await page.keyboard.press('Enter')
      const reply = transcript.locator('li.message.assistant')
      await expect.poll(() => reply.last().innerText()).toMatch(/escalated ticket T-\d+ to billing/)
      await expect.poll(() => page.getByText('1 waiting').count()).toBe(0)
      // The run went on: no note still says it waits, no spinner is left, and nothing hangs
      // below the page.
      expect(await transcript.innerText()).not.toContain('Waiting for your decision')
      expect(await transcript.locator('li.activity.working').count()).toBe(0)
      expect(await transcript.innerText()).not.toContain('domain_')
      expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(800)
      await shot(page, '5-reply')

      await page.getByRole('button', { name: 'Audit trail' }).click()
      const dialog = page.getByRole('dialog', { name: 'Audit trail' })
      await dialog.waitFor()
      const trail = await dialog.innerText()
      const order = [
        'message_received',
        'skill_activated',
        'approval_requested',
        'approval_decided',
        'refund_blocked',
        'approval_requested',
        'approval_decided',
        'ticket_escalated',
        'message_sent',
      ]
      let at = -1
      for (const action of order) {
        const next = trail.indexOf(action, at + 1)
        expect(next, `${action} after position ${at}`).toBeGreaterThan(at)
        at = next
      }
      await shot(page, '6-audit-trail')
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.isVisible()).toBe(false)

      // Stored, not just shown: a reload reads the conversation back from the server.
      await page.reload()
      await expect.poll(() => reply.last().innerText()).toMatch(/escalated ticket T-\d+/)
      // Read back, a customer's conversation is its messages: the steps are the staff view's.
      expect(await transcript.locator('li.message.user').first().innerText()).toContain('#4429')
      expect(await transcript.innerText()).not.toContain('domain_')

      // Readable on a phone: nothing wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 })
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
      await shot(page, '7-phone')
      await page.setViewportSize({ width: 1280, height: 800 })

      // Signed out, the next sign-in asks who to be; another customer does not see Maya's
      // conversation, and asking for it by its address finds nothing.
      const mayas = new URL(page.url()).hash.replace('#/c/', '')
      expect(mayas).toMatch(/^[0-9a-f-]{36}$/)
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByText('You are signed out.').waitFor()
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('button', { name: /Daniel Reyes/ }).click()
      await expect
        .poll(() => page.getByText('Signed in as daniel.reyes@example.org (customer)').count())
        .toBe(1)
      const list = page.getByRole('navigation', { name: 'Conversations' })
      await expect.poll(() => list.innerText()).toContain('order #4340')
      expect(await list.innerText()).not.toContain('#4429')
      await page.goto(`${server.url}/#/c/${mayas}`)
      await expect
        .poll(() => transcript.innerText())
        .toContain(`No conversation ${mayas} was found.`)
      expect(problems.filter((p) => !p.includes('404'))).toEqual([])
      await page.close()
    })

    it("shows a refund for approval as the server's summary with the real amount, the model's reason apart and whole, and one it cannot summarise as reject-only", async () => {
      // A reason written to pass for the arguments: a fake amount after enough text that a view
      // cut at 200 characters shows it and not the real one.
      const spoof = `${'refund for the damaged item, as agreed. '.repeat(6)}"amount_cents": 100`
      model.enqueue(
        reply({
          toolCalls: [
            {
              name: 'domain_issue_refund',
              arguments: {
                reason: spoof,
                order: '4380',
                amount_cents: 4590,
                idempotency_key: 'web-summary-4380',
              },
            },
          ],
        }),
      )
      const { page, problems } = await newPage()
      await page.goto(server.url)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((url) => url.origin !== server.url)
      await page.getByRole('button', { name: /Maya Okafor/ }).click()
      await page.getByText('Signed in as maya.okafor@example.com (customer)').waitFor()
      await page.getByLabel('Message').fill('Please refund order 4380.')
      await page.getByLabel('Message').press('Enter')
      const card = page.getByRole('log').locator('li.approval')
      await card.waitFor()
      await shot(page, '9-refund-summary')

      expect(await card.locator('.consent-title').innerText()).toMatch(
        /^Approval needed:\s+Refund \$45\.90 (on|to your card for) order #4380\??$/,
      )
      await card.getByText('Details').click()
      const lines = card.locator('dl.summary')
      const row = async (label: string) => lines.locator(`dt:text-is("${label}") + dd`).innerText()
      // The amount comes from the parsed call, the rest from the records, in dollars.
      expect(await row('Amount to refund')).toBe('$45.90')
      expect(await row('Order')).toBe('#4380 (delivered)')
      expect(await row('Customer')).toBe('Maya Okafor <maya.okafor@example.com>')
      expect(await row('Already refunded')).toBe('$0.00')
      expect(await lines.innerText()).not.toMatch(/amount_cents|\$1\.00/)
      // The model's words: apart, marked, whole (the fake amount at their very end is there).
      const words = card.getByRole('region', { name: "The Worker's words" })
      expect(await words.innerText()).toContain('not checked by the server')
      expect(await words.locator('blockquote').innerText()).toBe(spoof)
      expect(await card.innerText()).not.toContain('…')
      expect(await card.locator('dt:text-is("Amount to refund") + dd').isVisible()).toBe(true)

      model.enqueue(reply({ text: 'I have not refunded order #4380, as you decided.' }))
      await card.getByRole('button', { name: 'Reject' }).click()
      await expect.poll(() => card.innerText()).toContain('Rejected.')

      // A call the server cannot describe (no such order) is shown as such, and only rejected.
      model.enqueue(
        reply({
          toolCalls: [
            {
              name: 'domain_issue_refund',
              arguments: {
                order: '9999',
                amount_cents: 100,
                reason: spoof,
                idempotency_key: 'web-9999',
              },
            },
          ],
        }),
      )
      await page.getByLabel('Message').fill('And order 9999?')
      await page.getByLabel('Message').press('Enter')
      const undescribed = page.getByRole('log').locator('li.approval').nth(1)
      await undescribed.waitFor()
      expect(await undescribed.innerText()).toContain('its summary is unavailable')
      expect(await undescribed.innerText()).not.toContain('amount_cents')
      expect(await undescribed.getByRole('button').allInnerTexts()).toEqual(['Reject'])
      await shot(page, '10-summary-unavailable')
      model.enqueue(reply({ text: 'I have not refunded anything.' }))
      await undescribed.getByRole('button', { name: 'Reject' }).click()
      await expect.poll(() => undescribed.innerText()).toContain('Rejected.')
      expect(problems.filter((p) => !p.includes('404'))).toEqual([])
      await page.close()
    })
    it('gives the transcript most of a phone screen: a one-line header, the list in a drawer, a one-row message box', async () => {
      const { page, problems } = await newPage({ width: 390, height: 844 })
      await page.goto(server.url)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((url) => url.origin !== server.url)
      await page.getByRole('button', { name: /Maya Okafor/ }).click()
      await page.getByText('Signed in as maya.okafor@example.com (customer)').waitFor()
      // A new conversation greets her, the list out of the way.
      await page.getByText('how can we help?').waitFor()
      expect(await page.getByRole('navigation', { name: 'Conversations' }).count()).toBe(0)
      await shot(page, '11-phone-welcome')

      const exchanges = [
        ['Hello, are you there?', 'Hello! I am here and happy to help.'],
        ['Can you help me with a return?', 'Of course. Tell me which order it is about.'],
        ['Thanks, I will look it up.', 'You are welcome. Have a good day!'],
      ] as const
      const message = page.getByLabel('Message')
      for (const [index, [question, answer]] of exchanges.entries()) {
        model.enqueue(reply({ text: answer }))
        await message.fill(question)
        await message.press('Enter')
        await expect
          .poll(() => page.locator('li.message.assistant').nth(index).innerText())
          .toContain(answer)
      }
      const measure = async (selector: string) =>
        Number(
          await page.evaluate(
            `document.querySelector('${selector}').getBoundingClientRect().height`,
          ),
        )
      const figures = {
        viewport: 844,
        header: await measure('header.top'),
        title: await measure('.chat-head'),
        transcript: await measure('#transcript'),
        composer: await measure('#composer'),
      }
      await writeFile(join(artifacts, 'phone-layout.json'), `${JSON.stringify(figures, null, 2)}\n`)
      expect(figures.transcript / figures.viewport).toBeGreaterThanOrEqual(0.7)
      expect(figures.header).toBeLessThanOrEqual(56)
      expect(figures.composer).toBeLessThanOrEqual(72)
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
      await shot(page, '12-phone-conversation')
      await page.emulateMedia({ colorScheme: 'dark' })
      await shot(page, '12-phone-conversation-dark')
      await page.emulateMedia({ colorScheme: 'light' })

      // The list is behind the menu button; choosing a conversation closes it again.
      const menu = page.getByRole('button', { name: 'Conversations' })
      await menu.click()
      const list = page.getByRole('navigation', { name: 'Conversations' })
      await list.waitFor()
      expect(await menu.getAttribute('aria-expanded')).toBe('true')
      await expect.poll(() => list.getByRole('link').count()).toBeGreaterThan(0)
      // Slid in all the way (it moves for a fifth of a second).
      await expect.poll(async () => (await list.boundingBox())?.x).toBe(0)
      await shot(page, '13-phone-drawer')
      await list.getByRole('link').first().click()
      await expect.poll(() => list.isVisible()).toBe(false)
      expect(problems.filter((p) => !p.includes('404'))).toEqual([])
      await page.close()
    })
  })

  describe('with no model and sign-in disabled', () => {
    let server: ServedFte
    beforeAll(async () => {
      server = await serveFte(join(dir, 'no-model'), { AUTH_DISABLED: '1' })
    }, 120_000)
    afterAll(() => server?.stop())

    it('says that no model is configured and how to configure one, and sends nothing', async () => {
      const { page, problems } = await newPage({ width: 390, height: 844 })
      await page.goto(server.url)
      const banner = page.getByRole('status').filter({ hasText: 'cannot answer yet' })
      await banner.waitFor()
      const text = await banner.innerText()
      expect(text).toContain('No model is configured: set OPENAI_API_KEY')
      expect(text).toContain('LLM_PROVIDER=compatible')
      expect(await page.getByText('sign-in is disabled on this server').count()).toBe(1)
      // The chat is ready (the banner shows before it loads).
      await page.getByRole('heading', { name: /how can we help\?/i }).waitFor()
      await page.getByLabel('Message').fill('hello')
      expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true)
      // Enter says why nothing happens, and keeps what was written.
      await page.getByLabel('Message').press('Enter')
      await page.getByText('The Worker cannot answer until a model is configured').waitFor()
      expect(await page.getByLabel('Message').inputValue()).toBe('hello')
      await shot(page, '8-no-model-phone')
      expect(problems).toEqual([])
      await page.close()
    })
  })
})
