import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchChromium } from '../../../test/support/headless-chromium.ts'
import { postgresAvailable } from '../../../test/support/scratch-postgres.ts'
import { reply } from '../../../test/support/scripted-model.ts'
import { expectedStory, storedStory } from '../../../test/support/staff-story-rows.ts'
import {
  PACKET,
  SAY,
  scriptAfterHandBack,
  scriptEscalation,
  scriptRefund,
} from '../../../test/support/staff-story-script.ts'
import { twoPersonStage } from '../../../test/support/two-person-stage.ts'
import { packageRoot } from '../../lib/package-root.ts'

const chromiumPath = inject('chromiumPath')
/** Where the screenshots go: kept after the run (git ignores the folder). */
const artifacts = join(packageRoot(), 'test-artifacts', 'web')

describe.skipIf(chromiumPath === null)(
  'the staff console and the customer chat, two people on one real server (#23)',
  () => {
    let browser: Browser
    beforeAll(async () => {
      await mkdir(artifacts, { recursive: true })
      browser = await launchChromium(chromiumPath ?? '')
    })
    afterAll(() => browser?.close())

    // The story once per database: what it stores, and the change feed (LISTEN/NOTIFY over a
    // pool of connections on Postgres, one embedded connection otherwise) that carries each
    // change to the other person's page.
    for (const [name, available] of [
      ['pglite', true],
      ['postgres', postgresAvailable],
    ] as const) {
      describe.skipIf(!available)(`on ${name}`, () => story(name))
    }

    function story(database: 'pglite' | 'postgres') {
      const stage = twoPersonStage(database, () => browser, artifacts)
      let maya: Page
      let sam: Page
      let conversationId = ''
      beforeAll(() => {
        ;({ maya, sam } = stage)
      })
      const transcript = () => maya.getByRole('log')
      const inbox = () => sam.locator('article.inbox-card')
      const write = async (page: Page, text: string) => {
        await page.getByLabel('Message').fill(text)
        await page.getByLabel('Message').press('Enter')
      }

      it("1. Maya asks for a refund above the self-serve limit; she consents to asking a support lead, and the request appears live in Sam's inbox", async () => {
        const nav = sam.getByRole('navigation', { name: 'Staff console' })
        await stage.signIn(sam, /Sam Patel/, 'sam.patel@staff.example.com (staff)', nav)
        await expect
          .poll(() => nav.getByRole('link').allInnerTexts())
          .toEqual(['Inbox', 'Conversations', 'Metrics', 'Chat'])
        expect(new URL(sam.url()).hash).toBe('#/inbox')
        await sam.getByText('Nothing is waiting.').waitFor()
        await expect.poll(() => sam.locator('.page-head .live-state').innerText()).toBe('Live')

        await stage.signIn(
          maya,
          /Maya Okafor/,
          'maya.okafor@example.com (customer)',
          maya.getByText('Hi Maya, how can we help?'),
        )
        const refund = scriptRefund(stage.model)
        await write(maya, SAY.refund)
        const consent = transcript().locator('li.approval')
        await consent.waitFor()
        expect(await consent.locator('.consent-title').innerText()).toMatch(
          /^Approval needed:\s+Ask a support lead to refund \$450\.00 for order #4356\?$/,
        )
        await stage.shot(1, 'consent')

        await consent.getByRole('button', { name: 'Approve' }).click()
        await expect
          .poll(() => transcript().locator('li.message.assistant').last().innerText())
          .toContain('A support lead will review your refund of $450.00')
        // The gateway put it to staff: nothing refunded, a request named in the tool's answer.
        expect(refund.toolSaid()).toMatch(
          /pending review by a support lead \(request [0-9a-f-]{36}\)/,
        )
        const request = transcript().locator('li.request-card')
        await expect
          .poll(() => request.innerText())
          .toContain('Waiting for review by a support lead')
        expect(await request.locator('.request-title').innerText()).toBe(
          'Refund $450.00 on order #4356',
        )
        conversationId = new URL(maya.url()).hash.replace('#/c/', '')
        expect(conversationId).toMatch(/^[0-9a-f-]{36}$/)

        // Sam's inbox, without a reload: the request, whose it is, its lines, unclaimed.
        await expect.poll(() => inbox().count()).toBe(1)
        const item = inbox().first()
        expect(await item.locator('.card-title').innerText()).toBe('Refund $450.00 on order #4356')
        expect(await item.locator('.kind').textContent()).toBe('Waiting for a decision')
        expect(await item.locator('.customer').innerText()).toContain('Maya Okafor')
        expect(await lineOf(item, 'Amount to refund')).toBe('$450.00')
        expect(await lineOf(item, 'Order')).toBe('#4356 (delivered)')
        expect(await item.locator('.claim').innerText()).toBe('Unclaimed')
        expect(await sam.locator('.page-head .count').innerText()).toBe('1 waiting')
        expect(await stage.sameDocument(sam)).toBe(true)
        await stage.shot(1, 'request-in-inbox')
      })

      it('2. Sam claims and approves it with a reason; Maya sees the outcome live, from Sam, marked as a person', async () => {
        const item = inbox().filter({ hasText: 'order #4356' })
        await item.getByRole('button', { name: 'Claim' }).click()
        await expect.poll(() => item.locator('.claim').innerText()).toMatch(/^Claimed by you/)
        await item.getByRole('button', { name: 'Approve' }).click()
        await item.getByLabel('Reason (optional)').fill(SAY.approval)
        await item.locator('form.action-form').getByRole('button', { name: 'Approve' }).click()
        await sam.getByText('Request approved.').waitFor()
        await sam.getByText('Nothing is waiting.').waitFor()

        const fromSam = transcript().locator('li.message.staff')
        await expect.poll(() => fromSam.count()).toBe(1)
        expect(await fromSam.locator('.speaker').innerText()).toMatch(/^Sam Patel.* · Support team/)
        expect(await fromSam.locator('p').innerText()).toMatch(
          /^I approved your request \(Refund \$450\.00 on order #4356\)\. Refund of \$450\.00 issued on order #4356/,
        )
        const decided = transcript().locator('li.request-card')
        await expect.poll(() => decided.getAttribute('class')).toContain('approved')
        expect(await decided.locator('.request-status').innerText()).toMatch(
          /^Approved by Sam Patel/,
        )
        expect(await decided.locator('.request-reason').innerText()).toBe(`“${SAY.approval}”`)
        expect(await stage.sameDocument(maya)).toBe(true)
        await stage.shot(2, 'approved-live')
      })

      it("3. Maya's escalation, once she consents, appears in Sam's inbox with its packet", async () => {
        scriptEscalation(stage.model)
        await write(maya, SAY.escalate)
        const consent = transcript().locator('li.approval').nth(1)
        await consent.waitFor()
        expect(await consent.locator('.consent-title').innerText()).toMatch(
          /Escalate ticket T-1099 to the billing team$/,
        )
        await consent.getByRole('button', { name: 'Approve' }).click()
        await expect
          .poll(() => transcript().locator('li.message.assistant').last().innerText())
          .toContain('I have passed ticket T-1099 to our billing team')

        const item = inbox().filter({ hasText: 'T-1099' })
        await item.waitFor()
        expect(await item.locator('.kind').textContent()).toBe('Escalated tickets')
        expect(await item.locator('.card-title').innerText()).toBe(
          "T-1099: I haven't received my refund from order #4429, it's been two weeks.",
        )
        expect(await lineOf(item, 'Customer')).toMatch(
          /^Maya Okafor <maya\.okafor@example\.com>, pro tier, customer since \d{4}-\d\d-\d\d$/,
        )
        expect(await lineOf(item, 'Issue')).toBe(PACKET.issue)
        expect(await lineOf(item, 'Order')).toMatch(/^#4429 \(\$[\d.]+\)$/)
        expect(await lineOf(item, 'Tried')).toBe(PACKET.tried)
        expect(await lineOf(item, 'Sentiment')).toBe(PACKET.sentiment)
        expect(await lineOf(item, 'Why escalated')).toBe(PACKET.reason)
        expect(await lineOf(item, 'Team')).toBe('billing')
        expect(await stage.sameDocument(sam)).toBe(true)
        await stage.shot(3, 'escalation-packet')
      })

      it('4. Sam reads the conversation in full, takes it over and replies; Maya sees it live, and what she writes goes to Sam, not the Worker', async () => {
        await inbox()
          .filter({ hasText: 'T-1099' })
          .getByRole('link', { name: 'Open the conversation' })
          .click()
        expect(new URL(sam.url()).hash).toBe(`#/conversations/${conversationId}`)
        const detail = sam.locator('.conversation-detail')
        await detail.waitFor()
        const steps = detail.locator('.full-transcript')
        expect(await steps.innerText()).toContain('domain_issue_refund')
        expect(await steps.innerText()).toContain('"amount_cents": 45000')
        expect(await steps.innerText()).toContain('domain_escalate_ticket')
        expect(await steps.locator('.message-step.staff').innerText()).toContain(
          'I approved your request',
        )
        expect(await detail.locator('article.staff-request').innerText()).toMatch(
          /Approved by Sam Patel/,
        )
        const trail = await detail.locator('.detail-audit').innerText()
        for (const action of ['staff_request_routed', 'staff_request_decided', 'ticket_escalated'])
          expect(trail).toContain(action)

        await detail.getByRole('button', { name: 'Take over' }).click()
        await expect
          .poll(() => transcript().locator('li.event-line').last().innerText())
          .toMatch(/^Sam Patel.* from the support team has joined the conversation$/)
        await detail.getByLabel('Reply to the customer').fill(SAY.samReply)
        await detail.getByRole('button', { name: /^Send as/ }).click()
        await expect
          .poll(() => transcript().locator('li.message.staff').last().innerText())
          .toContain(SAY.samReply)

        // Held: her message reaches Sam's page, the model is not asked, and her card number is
        // taken out before anything is stored (a guardrail trip in the trail).
        const asked = stage.model.requests.length
        await write(maya, SAY.whileHeld)
        await expect
          .poll(() => detail.locator('.message-step.customer').last().innerText())
          .toContain('Thanks Sam! If it helps, my card is [card number removed]')
        expect(await detail.innerText()).not.toContain('4242')
        await expect.poll(() => detail.locator('.timeline li.guardrail').count()).toBe(1)
        expect(stage.model.requests.length).toBe(asked)
        expect(await transcript().locator('li.message.assistant:not(.staff)').count()).toBe(2)
        // Maya's page: her message once, as stored; Sam joined once, by name.
        await expect
          .poll(() => transcript().locator('li.message.user p').last().innerText())
          .toBe('Thanks Sam! If it helps, my card is [card number removed].')
        expect(await transcript().locator('li.message.user').count()).toBe(3)
        expect(await transcript().innerText()).not.toContain('4242')
        expect(await transcript().locator('li.event-line').count()).toBe(1)
        expect(await stage.sameDocument(maya)).toBe(true)
        await stage.shot(4, 'takeover-reply')
      })

      it("5. Sam hands back; the Worker answers Maya's next message, with Sam's words in what it is sent", async () => {
        const detail = sam.locator('.conversation-detail')
        await detail.getByRole('button', { name: 'Hand back to the Worker' }).click()
        await detail.getByRole('button', { name: 'Take over' }).waitFor()
        await expect
          .poll(() => transcript().locator('li.event-line').last().innerText())
          .toBe('The support team handed the conversation back to the assistant')

        const worker = scriptAfterHandBack(stage.model)
        await write(maya, SAY.afterHandBack)
        await expect
          .poll(() => transcript().locator('li.message.assistant').last().innerText())
          .toContain(SAY.workerAgain)
        expect(worker.sent()).toContain(JSON.stringify(SAY.samReply).slice(1, -1))
        expect(worker.sent()).toContain('[card number removed]')
        expect(worker.sent()).not.toContain('4242')
        await expect
          .poll(() => detail.locator('.message-step.worker').last().innerText())
          .toContain(SAY.workerAgain)
        expect(await stage.sameDocument(maya)).toBe(true)
        expect(await stage.sameDocument(sam)).toBe(true)
        await stage.shot(5, 'worker-answers-again')
      })

      it("reads the story back in the console: the conversations, the metrics with their SQL, the packet on a phone, the ticket resolved; the staff chat's stream ends when Sam leaves it", async () => {
        const nav = sam.getByRole('navigation', { name: 'Staff console' })
        await nav.getByRole('link', { name: 'Conversations' }).click()
        // Maya's, and the demo data's conversation with Daniel.
        const rows = sam.locator('.conversation-table a')
        await expect.poll(() => rows.count()).toBe(2)
        const mayas = rows.filter({ hasText: 'Maya Okafor' })
        expect(await mayas.getAttribute('href')).toBe(`#/conversations/${conversationId}`)
        expect(await mayas.locator('.badge').count()).toBe(0)

        const answered = sam.waitForResponse((r) => r.url().includes('/api/staff/metrics'))
        await nav.getByRole('link', { name: 'Metrics' }).click()
        // The figures as the server computed them, kept beside the screenshots.
        const { figures } = (await (await answered).json()) as {
          figures: Array<{ name: string; value: number | null; rows: unknown[] }>
        }
        await writeFile(
          join(artifacts, `story-metrics-${database}.json`),
          `${JSON.stringify(
            figures.map(({ name, value, rows }) => ({ name, value, rows })),
            null,
            2,
          )}\n`,
        )
        const figure = (title: string) => sam.locator('article.figure').filter({ hasText: title })
        const part = (title: string, label: string) =>
          figure(title).locator(`.breakdown dt:text-is("${label}") + dd`).innerText()
        await figure('Requests by decision').waitFor()
        expect(await part('Requests by decision', 'approved')).toBe('1')
        expect(await part('Refunds issued and blocked', 'issued')).toBe('1')
        expect(await part('Refund amounts issued and blocked', 'issued')).toBe('$450.00')
        // Maya's conversation escalated, the demo data's did not.
        expect(await figure('Escalation rate').locator('.figure-value').innerText()).toBe('50 %')
        expect(await figure('Guardrail trips').locator('.figure-value').innerText()).toBe('1')
        // The scripted model's tokens at gpt-4o-mini's price, every request of each run (before
        // and after its approvals): a fraction of a cent, not $0.00.
        expect(await figure('Cost per conversation').locator('.figure-value').innerText()).toMatch(
          /^\$0\.000\d+$/,
        )
        await figure('Requests by decision').getByText('SQL').click()
        expect(await figure('Requests by decision').locator('pre').innerText()).toContain(
          'FROM staff_requests',
        )
        expect(await sam.locator('article.figure canvas').count()).toBeGreaterThan(0)
        // Every figure in one picture: the page scrolls inside a window this tall.
        await sam.setViewportSize({ width: 1280, height: 2000 })
        await sam.screenshot({ path: join(artifacts, `story-6-metrics-${database}.png`) })
        await sam.setViewportSize({ width: 1280, height: 800 })

        // On a phone the nav fits the header: nothing scrolls sideways, the nav included.
        await nav.getByRole('link', { name: 'Inbox' }).click()
        const ticket = inbox().filter({ hasText: 'T-1099' })
        await ticket.waitFor()
        await sam.setViewportSize({ width: 390, height: 844 })
        await sam.screenshot({
          path: join(artifacts, `story-6-phone-inbox-${database}.png`),
          fullPage: true,
        })
        expect(await sam.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
        const [navNeeds, navHas] = await nav.evaluate((n) => [n.scrollWidth, n.clientWidth])
        expect(navNeeds).toBeLessThanOrEqual(navHas ?? 0)
        await sam.setViewportSize({ width: 1280, height: 800 })

        await ticket.getByRole('button', { name: 'Resolve the ticket' }).click()
        await ticket.getByLabel('Resolution').fill(SAY.resolution)
        await ticket.locator('form.action-form').getByRole('button').first().click()
        await sam.getByText('T-1099 is resolved.').waitFor()
        await sam.getByText('Nothing is waiting.').waitFor()

        // The staff chat follows its conversation only while it is shown.
        const streams = openStreams(sam)
        stage.model.enqueue(reply({ text: 'Nothing else is waiting for you today.' }))
        await nav.getByRole('link', { name: 'Chat' }).click()
        await sam.getByText('Hi Sam, how can we help?').waitFor()
        await write(sam, 'Is anything else waiting for me?')
        await expect
          .poll(() => sam.getByRole('log').locator('li.message.assistant').last().innerText())
          .toContain('Nothing else is waiting')
        await expect.poll(() => streams.conversations()).toBe(1)
        await nav.getByRole('link', { name: 'Inbox' }).click()
        await sam.getByText('Nothing is waiting.').waitFor()
        await expect.poll(() => streams.conversations()).toBe(0)

        // Nothing went wrong, but for the stream of a conversation the page had just started,
        // asked for before the server had stored it (and asked again until it has).
        const fresh = /404 \(Not Found\) \(http:[^ ]+\/api\/conversations\/[0-9a-f-]{36}\/events\)$/
        expect(stage.problems().filter((p) => !fresh.test(p))).toEqual([])
      })

      it('stored each step once: one refund of $450.00 for #4356 requested by Maya, one decision by Sam, the packet, the hand-off, both of Sam’s messages', async () => {
        const db = await stage.storedDatabase()
        try {
          expect(await storedStory(db, conversationId)).toEqual(expectedStory(conversationId))
        } finally {
          await db.close()
        }
      })
    }
  },
)

/** The value a card's summary gives for `label`. */
function lineOf(card: Locator, label: string): Promise<string> {
  return card.locator(`dl.summary dt:text-is("${label}") + dd`).first().innerText()
}

/** The page's open live streams of a conversation, counted as they open and end. */
function openStreams(page: Page) {
  const open = new Set<unknown>()
  const conversation = (url: string) => /\/api\/conversations\/[^/]+\/events$/.test(url)
  page.on('request', (request) => {
    if (conversation(request.url())) open.add(request)
  })
  page.on('requestfinished', (request) => open.delete(request))
  page.on('requestfailed', (request) => open.delete(request))
  return { conversations: () => open.size }
}
