import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page, type Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { waitFor } from '../../../test/support/ports.ts'
import { runCli } from '../../cli/run-cli.ts'
import { packageRoot } from '../../lib/package-root.ts'

const chromiumPath = inject('chromiumPath')
/** Where the screenshots go: kept after the run (git ignores the folder). */
const artifacts = join(packageRoot(), 'test-artifacts', 'web')

const CONVERSATION_ID = '0b8f3a52-6c1e-4d0a-9e55-3f1b2c7d9a10'
const OTHER_ID = '5d2e7c44-9a1b-4f3e-8c6d-1e2f3a4b5c6d'
const REQUEST_ID = 'f3c1d2e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f'
const SAM = { sub: 'demo|staff-sam', name: 'Sam Patel' }
const MAYA = { sub: 'demo|maya-okafor', name: 'Maya Okafor', email: 'maya.okafor@example.com' }
const DANIEL = { sub: 'demo|daniel-reyes', name: 'Daniel Reyes', email: 'daniel.reyes@example.org' }

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

/**
 * The staff routes of the contract (#23), answered in the browser with its shapes and a little
 * state, recording what the page sends: the console's pages are tested before the server has them.
 */
function staffContract() {
  const calls: Array<{ key: string; body: unknown }> = []
  const metricsDays: string[] = []
  let inboxStreams = 0
  let held: typeof SAM | null = null
  let requestStatus: 'pending' | 'approved' = 'pending'
  const escalationLines = [
    { label: 'Customer', value: 'Maya Okafor <maya.okafor@example.com>' },
    { label: 'Issue', value: 'Refund for order #4429 not received after two weeks' },
    { label: 'What was tried', value: 'Looked up the order; a second refund was blocked' },
    { label: 'Why', value: 'The refund was issued: only billing can trace it' },
    { label: 'Suggested team', value: 'billing' },
  ]
  const items = [
    {
      id: 'request:r-1',
      kind: 'request',
      kindLabel: 'Decision',
      title: 'Refund $312.00 on order #4471',
      lines: [
        { label: 'Order', value: '#4471 (delivered)' },
        { label: 'Amount to refund', value: '$312.00' },
      ],
      customer: MAYA,
      conversationId: CONVERSATION_ID,
      createdAt: ago(12),
      claimedBy: null as typeof SAM | null,
      claimedAt: null as string | null,
      actions: [
        {
          name: 'approve',
          label: 'Approve',
          fields: [{ name: 'reason', label: 'Reason', type: 'text', required: false }],
        },
        {
          name: 'reject',
          label: 'Reject',
          fields: [{ name: 'reason', label: 'Reason', type: 'text', required: true }],
        },
      ],
    },
    {
      id: 'escalation:T-1099',
      kind: 'escalation',
      kindLabel: 'Escalated ticket',
      title: 'T-1099: refund for #4429 not received',
      lines: escalationLines,
      customer: MAYA,
      conversationId: CONVERSATION_ID,
      createdAt: ago(95),
      claimedBy: { sub: 'demo|staff-lee', name: 'Lee Chen' } as typeof SAM | null,
      claimedAt: ago(30) as string | null,
      actions: [
        {
          name: 'resolve',
          label: 'Resolve',
          fields: [{ name: 'resolution', label: 'Resolution', type: 'text', required: true }],
        },
        {
          name: 'reassign',
          label: 'Reassign',
          fields: [
            {
              name: 'team',
              label: 'Team',
              type: 'choice',
              choices: ['billing', 'shipping'],
              required: true,
            },
          ],
        },
      ],
    },
    {
      id: `conversation:${OTHER_ID}`,
      kind: 'conversation',
      kindLabel: 'Held conversation',
      title: 'Daniel Reyes: order #4340 arrived damaged',
      lines: [],
      customer: DANIEL,
      conversationId: OTHER_ID,
      createdAt: ago(3),
      claimedBy: SAM as typeof SAM | null,
      claimedAt: ago(2) as string | null,
      actions: [],
    },
  ]
  const entries = [
    {
      id: 'e1',
      role: 'user',
      kind: 'message',
      content: 'My order #4471 arrived broken, can I get a refund?',
      name: null,
      createdAt: ago(20),
      author: null,
    },
    {
      id: 'e2',
      role: 'assistant',
      kind: 'tool_call',
      content: 'activate_skill({"name":"find-similar-cases"})',
      name: 'activate_skill',
      createdAt: ago(20),
    },
    {
      id: 'e3',
      role: 'tool',
      kind: 'tool_result',
      content: '# Find similar cases',
      name: 'activate_skill',
      createdAt: ago(20),
    },
    {
      id: 'e4',
      role: 'assistant',
      kind: 'tool_call',
      content: 'domain_lookup_order({"order":"4471"})',
      name: 'domain_lookup_order',
      createdAt: ago(19),
    },
    {
      id: 'e5',
      role: 'tool',
      kind: 'tool_result',
      content: 'Order #4471: $312.00, delivered\nCustomer: Maya Okafor',
      name: 'domain_lookup_order',
      createdAt: ago(19),
    },
    {
      id: 'e6',
      role: 'assistant',
      kind: 'message',
      content: 'A refund of $312.00 needs a support lead: I have asked one.',
      name: null,
      createdAt: ago(18),
      author: null,
    },
  ] as Array<Record<string, unknown>>
  const request = () => ({
    id: REQUEST_ID,
    status: requestStatus,
    summary: {
      title: 'Refund $312.00 on order #4471',
      prompt: 'Refund $312.00 to your card for order #4471?',
      lines: items[0]?.lines ?? [],
      model_text: [],
    },
    createdAt: ago(18),
    ...(requestStatus === 'approved'
      ? {
          decidedBy: SAM,
          reason: 'Damaged on arrival, photos attached.',
          outcome: 'Refunded $312.00.',
          decidedAt: ago(0),
        }
      : {}),
  })
  const answers: Record<string, (body: Record<string, unknown>, path: string) => unknown> = {
    'GET /api/staff/inbox': () => ({ items }),
    'POST /api/staff/inbox/request:r-1/claim': () => {
      const item = items[0]
      if (item !== undefined) Object.assign(item, { claimedBy: SAM, claimedAt: ago(0) })
      return { item }
    },
    'POST /api/staff/inbox/escalation:T-1099/actions/resolve': () => {
      items.splice(1, 1)
      return { item: null, message: 'Ticket T-1099 resolved.' }
    },
    'GET /api/staff/conversations': () => ({
      conversations: [
        {
          id: CONVERSATION_ID,
          title: 'Refund for order #4471',
          customer: MAYA,
          startedAt: ago(20),
          lastAt: ago(18),
          held,
        },
        {
          id: OTHER_ID,
          title: null,
          customer: DANIEL,
          startedAt: ago(4),
          lastAt: ago(2),
          held: SAM,
        },
      ],
    }),
    'GET /api/staff/metrics': (_body, path) => {
      metricsDays.push(new URL(path, 'http://x').searchParams.get('days') ?? '')
      const days = Array.from({ length: 7 }, (_, i) => ({
        day: `2026-12-0${i + 1}`,
        value: 10 + ((i * 7) % 5),
      }))
      return {
        days: 30,
        from: ago(30 * 24 * 60),
        to: ago(0),
        figures: [
          {
            name: 'conversations',
            title: 'Conversations',
            unit: 'count',
            value: 84,
            series: days,
            query: 'SELECT count(*) FROM conversations WHERE started_at >= $1',
            description: 'Conversations started in the period.',
          },
          {
            name: 'resolved_without_person',
            title: 'Resolved without a person',
            unit: 'percent',
            value: 72.5,
            query: 'SELECT … FROM conversations c WHERE …',
            description: 'Share of conversations no person took over or was escalated.',
          },
          {
            name: 'requests_by_decision',
            title: 'Requests by decision',
            unit: 'count',
            value: 9,
            breakdown: [
              { label: 'approved', value: 6 },
              { label: 'rejected', value: 2 },
              { label: 'pending', value: 1 },
            ],
            query: 'SELECT status, count(*) FROM staff_requests GROUP BY status',
            description: 'Requests routed to staff, by decision.',
          },
          {
            name: 'first_answer',
            title: 'Time to first answer (Worker)',
            unit: 'ms',
            value: 1400,
            series: days.map((d) => ({ ...d, value: d.value * 120 })),
            query: 'SELECT percentile_cont(0.5) …',
            description: 'Median time from a message to the first reply.',
          },
        ],
      }
    },
    [`GET /api/conversations/${CONVERSATION_ID}`]: () => ({
      id: CONVERSATION_ID,
      entries,
      approvals: [],
      requests: [request()],
      held,
    }),
    [`GET /api/conversations/${CONVERSATION_ID}/audit`]: () => ({
      events: [
        {
          kind: 'audit',
          at: ago(20),
          action: 'message_received',
          actor: MAYA.sub,
          target: CONVERSATION_ID,
          invocation: null,
        },
        {
          kind: 'audit',
          at: ago(19),
          action: 'guardrail_tripped',
          actor: 'worker',
          target: 'pii',
          invocation: null,
        },
        {
          kind: 'audit',
          at: ago(18),
          action: 'request_routed_to_staff',
          actor: MAYA.sub,
          target: REQUEST_ID,
          invocation: null,
        },
      ],
    }),
    [`POST /api/approvals/${REQUEST_ID}`]: () => {
      requestStatus = 'approved'
      return { request: request() }
    },
    [`POST /api/conversations/${CONVERSATION_ID}/takeover`]: () => {
      held = SAM
      return { held: true, by: SAM }
    },
    [`POST /api/conversations/${CONVERSATION_ID}/messages`]: (body) => {
      const message = {
        id: `e${entries.length + 1}`,
        role: 'assistant',
        kind: 'message',
        content: String(body.text),
        name: null,
        createdAt: ago(0),
        author: SAM,
      }
      entries.push(message)
      return { message }
    },
    [`POST /api/conversations/${CONVERSATION_ID}/release`]: () => {
      held = null
      return { held: false }
    },
  }
  return {
    metricsDays,
    handles: (url: URL) =>
      url.pathname.startsWith('/api/staff/') ||
      url.pathname.startsWith(`/api/conversations/${CONVERSATION_ID}`) ||
      url.pathname === `/api/approvals/${REQUEST_ID}`,
    reads: (key: string) => calls.filter((c) => c.key === key).length,
    sent: (key: string) => calls.filter((c) => c.key === key).map((c) => c.body),
    async answer(route: Route) {
      const request = route.request()
      const url = new URL(request.url())
      const key = `${request.method()} ${decodeURIComponent(url.pathname)}`
      if (url.pathname === '/api/staff/inbox/events') {
        // One change, then the stream ends; asked again, this server has no stream (404).
        if (inboxStreams++ > 0)
          return route.fulfill({ status: 404, json: { error: 'not_found', message: 'gone' } })
        return route.fulfill({
          status: 200,
          contentType: 'text/event-stream',
          body: 'id: 1\nevent: change\ndata: {"seq":1,"kind":"inbox"}\n\n',
        })
      }
      const body = request.method() === 'POST' ? (request.postDataJSON() ?? {}) : undefined
      calls.push({ key, body })
      const answer = answers[key]
      if (answer === undefined)
        return route.fulfill({ status: 404, json: { error: 'not_found', message: key } })
      return route.fulfill({ json: answer(body ?? {}, `${url.pathname}${url.search}`) })
    },
  }
}

/** `fte serve` on a fresh data folder, as `npm start` runs it; resolves to its URL. */
async function serve(dir: string, env: Record<string, string>) {
  const stdout = new Capture()
  const controller = new AbortController()
  const exited = runCli(['serve', '--port', '0'], {
    env: { FTE_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', AUTH_DEV_PORT: '0', ...env },
    cwd: dir,
    stdout,
    stderr: new Capture(),
    signal: controller.signal,
  })
  const url = await waitFor(
    () => /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.text)?.[1],
    'the server to listen',
    90_000,
  )
  return {
    url,
    stop: async () => {
      controller.abort()
      expect(await exited).toBe(0)
    },
  }
}

describe.skipIf(chromiumPath === null)('the staff console in headless Chromium', () => {
  let browser: Browser
  let dir: string
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fte-staff-'))
    await mkdir(artifacts, { recursive: true })
    browser = await chromium.launch({
      executablePath: chromiumPath ?? '',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    // A model that is never asked: the console reads and decides, the Worker does not answer here.
    server = await serve(dir, {
      LLM_PROVIDER: 'compatible',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODEL: 'unused',
    })
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    await browser?.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function newPage(viewport = { width: 1280, height: 800 }) {
    const page = await browser.newPage({ viewport })
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`)
    })
    return { page, problems }
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })

  it("opens on this server's own inbox for a staff sign-in, and keeps the chat a nav item away", async () => {
    const { page, problems } = await newPage()
    await page.goto(server.url)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.origin !== server.url)
    await page.getByRole('button', { name: /Sam Patel/ }).click()
    const nav = page.getByRole('navigation', { name: 'Staff console' })
    await nav.waitFor()
    // Nothing has been routed to staff on this fresh server.
    await page.getByText('Nothing is waiting.').waitFor()
    await nav.getByRole('link', { name: 'Chat' }).click()
    await page.getByLabel('Message').waitFor()
    expect(new URL(page.url()).hash).toBe('#/')
    expect(problems.filter((p) => !p.includes('404'))).toEqual([])
    await page.close()
  })

  it("runs the staff console on the contract's routes: the inbox live with claims and actions, a conversation in full with its hand-off, and the metrics' charts and SQL", async () => {
    // The server does not answer these routes yet: the test does, with the contract's shapes
    // (what each page sends is checked), so the pages are tested before the routes land.
    const contract = staffContract()
    const { page, problems } = await newPage()
    await page.route(
      (url) => contract.handles(url),
      (route) => contract.answer(route),
    )
    await page.goto(server.url)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.origin !== server.url)
    await page.getByRole('button', { name: /Sam Patel/ }).click()
    await page.getByText('Signed in as sam.patel@staff.example.com (staff)').waitFor()

    // The inbox, the staff's first page: each item with its age and who holds it.
    const nav = page.getByRole('navigation', { name: 'Staff console' })
    await expect
      .poll(() => nav.getByRole('link').allInnerTexts())
      .toEqual(['Inbox', 'Conversations', 'Metrics', 'Chat'])
    expect(new URL(page.url()).hash).toBe('#/inbox')
    const cards = page.locator('article.inbox-card')
    await expect.poll(() => cards.count()).toBe(3)
    const request = cards.filter({ hasText: 'Refund $312.00' })
    expect(await request.locator('.age').innerText()).toBe('12 min')
    expect(await request.innerText()).toContain('Unclaimed')
    const escalation = cards.filter({ hasText: 'T-1099' })
    expect(await escalation.innerText()).toContain('Claimed by Lee Chen · 30 min')
    expect(await escalation.locator('dl.summary').innerText()).toContain('What was tried')
    expect(await cards.filter({ hasText: 'order #4340' }).innerText()).toContain('Claimed by you')
    // The inbox stream said something changed: the page read the inbox again.
    await expect.poll(() => contract.reads('GET /api/staff/inbox')).toBeGreaterThanOrEqual(2)
    await shot(page, 'staff-1-inbox')

    await request.getByRole('button', { name: 'Claim' }).click()
    await expect.poll(() => request.innerText()).toContain('Claimed by you')
    expect(contract.sent('POST /api/staff/inbox/request:r-1/claim')).toEqual([{}])

    // An action's form, as the server describes its fields.
    await escalation.getByRole('button', { name: 'Resolve' }).click()
    await escalation.getByLabel('Resolution').fill('Refund traced: the bank posted it today.')
    await shot(page, 'staff-2-inbox-action')
    await escalation.getByRole('button', { name: 'Resolve' }).last().click()
    await page.getByText('Ticket T-1099 resolved.').waitFor()
    expect(contract.sent('POST /api/staff/inbox/escalation:T-1099/actions/resolve')).toEqual([
      { resolution: 'Refund traced: the bank posted it today.' },
    ])
    await expect.poll(() => cards.count()).toBe(2)

    // Any conversation in full: tool calls with their arguments and results, the skill, the
    // guardrail trip in the audit trail, the pending request, and the hand-off.
    await nav.getByRole('link', { name: 'Conversations' }).click()
    const rows = page.locator('.conversation-table a')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await rows.first().innerText()).toContain('Refund for order #4471')
    await rows.first().click()
    const detail = page.locator('.conversation-detail')
    await detail.waitFor()
    const steps = await detail.locator('.full-transcript').innerText()
    expect(steps).toContain('domain_lookup_order')
    expect(steps).toContain('"order": "4471"')
    expect(steps).toContain('Skill find-similar-cases')
    expect(steps).toContain('Result: Order #4471: $312.00, delivered')
    expect(await detail.locator('.timeline li.guardrail').count()).toBe(1)
    const pending = detail.locator('article.staff-request')
    await pending
      .getByLabel('Reason (shown to the customer)')
      .fill('Damaged on arrival, photos attached.')
    await pending.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => pending.innerText()).toContain('Approved by Sam Patel')
    expect(contract.sent(`POST /api/approvals/${REQUEST_ID}`)).toEqual([
      { decision: 'approve', reason: 'Damaged on arrival, photos attached.' },
    ])
    await detail.getByRole('button', { name: 'Take over' }).click()
    const replyBox = detail.getByLabel('Reply to the customer')
    await replyBox.fill('Hi Maya, Sam here: your refund is approved.')
    await detail.getByRole('button', { name: /^Send as/ }).click()
    await expect
      .poll(() => detail.locator('.message-step.staff').innerText())
      .toContain('Sam here: your refund is approved.')
    await shot(page, 'staff-3-conversation')
    await detail.getByRole('button', { name: 'Hand back to the Worker' }).click()
    await detail.getByRole('button', { name: 'Take over' }).waitFor()
    expect(contract.sent(`POST /api/conversations/${CONVERSATION_ID}/messages`)).toEqual([
      { text: 'Hi Maya, Sam here: your refund is approved.' },
    ])

    // The metrics: a chart per figure, its SQL in a disclosure, the period chosen.
    await nav.getByRole('link', { name: 'Metrics' }).click()
    const figures = page.locator('article.figure')
    await expect.poll(() => figures.count()).toBe(4)
    expect(await page.locator('article.figure canvas').count()).toBe(3)
    const share = figures.filter({ hasText: 'Resolved without a person' })
    expect(await share.locator('.figure-value').innerText()).toBe('72.5 %')
    await share.getByText('SQL').click()
    expect(await share.locator('pre').innerText()).toContain('FROM conversations')
    await page.getByRole('button', { name: '7 days' }).click()
    await expect.poll(() => contract.metricsDays.at(-1)).toBe('7')
    // A tooltip, drawn on the canvas: no style the policy refuses.
    const chart = figures.first().locator('canvas')
    const box = await chart.boundingBox()
    if (box !== null) await page.mouse.move(box.x + box.width / 2, box.y + box.height - 40)
    await shot(page, 'staff-4-metrics')

    await nav.getByRole('link', { name: 'Inbox' }).click()
    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(() => cards.count()).toBe(2)
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await shot(page, 'staff-5-phone-inbox')
    // The contract's routes answered here and the stream's second call (404) aside, nothing
    // went wrong: no script error, and no chart or tooltip the content security policy refused.
    expect(problems.filter((p) => !p.includes('404'))).toEqual([])
    await page.close()
  })
})
