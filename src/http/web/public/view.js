// @ts-check
// What the page shows, built node by node: every text from the server or the model goes in as
// text, never as markup.

/** Tools of the skill runtime: their results are skill bodies, too long and too dull to show. */
const SKILL_TOOLS = new Set(['activate_skill', 'read_skill_resource', 'run_skill_script'])

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {...(Node | string)} children
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  node.append(...children)
  return node
}

/** @param {unknown} value */
function compact(value) {
  const text = JSON.stringify(value) ?? ''
  return text.length > 200 ? `${text.slice(0, 199)}…` : text
}

/** @param {string} text */
function firstLine(text) {
  const line = text.trim().split('\n')[0] ?? ''
  return line.length > 160 ? `${line.slice(0, 159)}…` : line
}

/** @param {'user' | 'assistant'} role @param {string} text */
export function messageItem(role, text) {
  return el(
    'li',
    { class: `message ${role}` },
    el('span', { class: 'speaker' }, role === 'user' ? 'You' : 'Worker'),
    el('p', {}, text),
  )
}

/** @param {string} name @param {Record<string, unknown>} args */
export function toolCallItem(name, args) {
  return el(
    'li',
    { class: 'tool' },
    el('span', { 'aria-hidden': 'true' }, '→ '),
    el('code', {}, name),
    ` ${compact(args)}`,
  )
}

/** @param {string} name @param {'ok' | 'error'} status @param {string} summary */
export function toolResultItem(name, status, summary) {
  return el(
    'li',
    { class: `tool result ${status}` },
    el('span', { 'aria-hidden': 'true' }, '← '),
    el(
      'span',
      { class: 'visually-hidden' },
      `${name} ${status === 'ok' ? 'answered' : 'failed'}: `,
    ),
    summary,
  )
}

/** @param {string} name */
export function skillItem(name) {
  return el(
    'li',
    { class: 'skill' },
    el('span', { 'aria-hidden': 'true' }, '◆ '),
    'skill ',
    el('code', {}, name),
  )
}

/** @param {string} text @param {'notice' | 'error'} kind */
export function noteItem(text, kind) {
  return el('li', { class: kind, ...(kind === 'error' ? { role: 'alert' } : {}) }, text)
}

/**
 * A conversation's stored entries as transcript items: messages, tool calls and their results.
 * @param {import('./api.js').Entry[]} entries
 */
export function entryItems(entries) {
  /** @type {HTMLElement[]} */
  const items = []
  let lastCall = ''
  for (const entry of entries) {
    if (entry.kind === 'tool_call') {
      lastCall = entry.name ?? ''
      const args = parseCall(entry.content)
      items.push(
        lastCall === 'activate_skill'
          ? skillItem(String(args.name ?? ''))
          : toolCallItem(lastCall, args),
      )
    } else if (entry.kind === 'tool_result') {
      if (!SKILL_TOOLS.has(lastCall))
        items.push(toolResultItem(lastCall, 'ok', firstLine(entry.content)))
    } else if (entry.role === 'user' || entry.role === 'assistant') {
      items.push(messageItem(entry.role, entry.content))
    }
  }
  return items
}

/** `name({...})`, as a stored call reads, back to its arguments. @param {string} content */
function parseCall(content) {
  const open = content.indexOf('(')
  try {
    const parsed = JSON.parse(content.slice(open + 1, -1))
    return typeof parsed === 'object' && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

/**
 * What the server says a call will do: its lines as a list of labels and values, then the
 * model's free text apart, marked as the Worker's words. Nothing is cut; long values wrap.
 * @param {import('./api.js').ApprovalSummary} summary
 */
function summaryView(summary) {
  const lines = el('dl', { class: 'summary' })
  for (const line of summary.lines) lines.append(el('dt', {}, line.label), el('dd', {}, line.value))
  if (summary.model_text.length === 0) return [lines]
  const words = el(
    'section',
    { class: 'model-words', 'aria-label': "The Worker's words" },
    el('p', { class: 'model-words-note' }, "The Worker's words (not checked by the server):"),
  )
  for (const said of summary.model_text) {
    words.append(
      el('p', { class: 'model-words-label' }, said.label),
      el('blockquote', {}, said.text),
    )
  }
  return [lines, words]
}

/**
 * A waiting approval: the server's summary of the call and its buttons; `decide` runs the
 * decision's turn. Without a summary the call cannot be approved, only rejected.
 * @param {import('./api.js').Approval} approval
 * @param {(decision: 'approve' | 'reject', reason: string) => Promise<void>} decide
 */
export function approvalItem(approval, decide) {
  const reasonId = `reason-${approval.id}`
  const { summary } = approval
  const title = el(
    'p',
    { id: `approval-${approval.id}` },
    el('strong', {}, 'Approval needed: '),
    summary === null ? 'a request the server could not describe' : summary.title,
  )
  const tool = el(
    'p',
    { class: 'tool-name' },
    'The Worker asks to run ',
    el('code', {}, approval.tool),
  )
  const body =
    summary === null
      ? [
          el(
            'p',
            { class: 'unavailable' },
            'The server could not say what this request would do (its summary is unavailable), ' +
              'so it cannot be approved. Reject it; the Worker can ask again.',
          ),
        ]
      : summaryView(summary)
  const reason = el('input', { id: reasonId, type: 'text', maxlength: '1000', autocomplete: 'off' })
  const approve = el('button', { type: 'button', class: 'primary' }, 'Approve')
  const reject = el('button', { type: 'button' }, 'Reject')
  const outcome = el('p', { class: 'outcome', role: 'status' })
  const item = el(
    'li',
    { class: 'approval', 'aria-labelledby': `approval-${approval.id}` },
    title,
    tool,
    ...body,
    el('label', { for: reasonId }, 'Reason (optional)'),
    reason,
    el('div', { class: 'actions' }, ...(summary === null ? [reject] : [approve, reject])),
    outcome,
  )
  /** @param {'approve' | 'reject'} decision */
  const choose = async (decision) => {
    for (const control of [approve, reject, reason]) control.setAttribute('disabled', '')
    item.classList.add('deciding')
    outcome.textContent = decision === 'approve' ? 'Approving…' : 'Rejecting…'
    try {
      await decide(decision, /** @type {HTMLInputElement} */ (reason).value.trim())
      outcome.textContent = decision === 'approve' ? 'Approved.' : 'Rejected.'
      item.classList.add('decided')
    } catch (error) {
      item.classList.remove('deciding')
      outcome.textContent = `Not recorded: ${error instanceof Error ? error.message : String(error)}`
      for (const control of [approve, reject, reason]) control.removeAttribute('disabled')
    }
  }
  approve.addEventListener('click', () => void choose('approve'))
  reject.addEventListener('click', () => void choose('reject'))
  return item
}

/** @param {import('./api.js').TimelineEvent} event */
export function timelineItem(event) {
  const at = new Date(event.at)
  const time = el(
    'time',
    { datetime: at.toISOString() },
    at.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }),
  )
  if (event.kind === 'message') {
    return el(
      'li',
      { class: 'timeline-message' },
      time,
      ' ',
      el('strong', {}, event.role),
      ` ${firstLine(event.content)}`,
    )
  }
  const details = [`by ${event.actor}`]
  if (event.target !== null) details.push(`on ${event.target}`)
  if (event.invocation !== null) {
    const { capability, status, latencyMs } = event.invocation
    const named = event.target?.endsWith(`:${capability}`) ? '' : `${capability} `
    details.push(`${named}${status} in ${latencyMs} ms`)
  }
  return el(
    'li',
    { class: 'timeline-audit' },
    time,
    ' ',
    el('strong', {}, event.action),
    ` ${details.join(' · ')}`,
  )
}
