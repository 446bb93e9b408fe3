// @ts-check
// The page: sign in, list the user's conversations, chat with the Worker, decide its approvals and
// read a conversation's audit trail. State lives on the server; this tab keeps its token and the
// message being written (so a sign-in or a refusal loses nothing).
import { ApiError, createApi } from './api.js'
import { LiveTurn } from './live-turn.js'
import { beginSignIn, finishSignIn, signOut, storedToken } from './sign-in.js'
import { approvalItem, el, entryItems, messageItem, noteItem, timelineItem } from './view.js'

const DRAFT_KEY = 'fte.draft'
const SIGNED_OUT_KEY = 'fte.signed-out'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
function byId(id) {
  const node = document.getElementById(id)
  if (node === null) throw new Error(`the page has no #${id}`)
  return /** @type {T} */ (node)
}

const ui = {
  who: byId('who'),
  signOut: byId('sign-out'),
  notice: byId('notice'),
  signedOut: byId('signed-out'),
  signedOutReason: byId('signed-out-reason'),
  signIn: /** @type {HTMLButtonElement} */ (byId('sign-in')),
  workspace: byId('workspace'),
  list: byId('conversation-list'),
  empty: byId('conversation-empty'),
  newConversation: byId('new-conversation'),
  title: byId('conversation-title'),
  showAudit: byId('show-audit'),
  transcript: byId('transcript'),
  composer: /** @type {HTMLFormElement} */ (byId('composer')),
  message: /** @type {HTMLTextAreaElement} */ (byId('message')),
  send: /** @type {HTMLButtonElement} */ (byId('send')),
  audit: /** @type {HTMLDialogElement} */ (byId('audit')),
  auditEvents: byId('audit-events'),
  closeAudit: byId('close-audit'),
}

/**
 * @typedef {{ name: string, description: string, examplePrompt?: string }} Domain
 * @type {({ signIn: 'disabled' } | { signIn: 'oauth', clientId: string | null }) & { domain?: Domain | null }}
 */
let config = { signIn: 'disabled' }
/** @type {import('./sign-in.js').Token | undefined} */
let token
/** @type {string | undefined} the open conversation; undefined: a new one */
let current
let busy = false
let workerReady = false

const api = createApi(() => token?.accessToken)

wire()
boot().catch((error) => notify(`The page could not start: ${messageOf(error)}`))

async function boot() {
  config = await (await fetch('/app/config.json')).json()
  if (config.domain) {
    const domain = byId('domain')
    domain.textContent = config.domain.description
    domain.hidden = false
    if (config.domain.examplePrompt) ui.message.placeholder = `e.g. ${config.domain.examplePrompt}`
  }
  if (config.signIn === 'oauth') {
    token =
      (await finishSignIn().catch((error) => {
        showSignedOut(messageOf(error))
        return undefined
      })) ?? storedToken()
    if (token === undefined) {
      if (ui.signedOut.hidden) showSignedOut()
      return
    }
  }
  // A kept token the server no longer accepts: sign in again rather than fail to start.
  await start().catch((error) => {
    if (!(error instanceof ApiError && error.status === 401)) throw error
    refused(error)
  })
}

async function start() {
  const [me, worker] = await Promise.all([api.me(), api.worker()])
  ui.who.textContent =
    config.signIn === 'disabled'
      ? `Acting as ${me.sub} (${me.role}): sign-in is disabled on this server`
      : `Signed in as ${me.email ?? me.sub} (${me.role})`
  ui.who.hidden = false
  ui.signOut.hidden = config.signIn === 'disabled'
  workerReady = worker.ready
  if (worker.ready) {
    ui.notice.hidden = true
  } else {
    const problem = worker.problem.charAt(0).toUpperCase() + worker.problem.slice(1)
    notify(
      `The Worker cannot answer yet. ${problem}. Set it in .env (see .env.example) or the ` +
        'environment, then restart the server; to try it without a provider, see "The web UI" in ' +
        'the README. Your conversations and their audit trails are readable meanwhile.',
    )
  }
  ui.signedOut.hidden = true
  ui.workspace.hidden = false
  ui.message.value = sessionStorage.getItem(DRAFT_KEY) ?? ''
  setBusy(false)
  await refreshList()
  const wanted = location.hash.slice(1)
  if (UUID.test(wanted)) await openConversation(wanted)
  ui.message.focus()
}

function wire() {
  ui.signIn.addEventListener('click', () => {
    if (config.signIn !== 'oauth' || config.clientId === null) return
    ui.signIn.disabled = true
    const chooseAccount = sessionStorage.getItem(SIGNED_OUT_KEY) === '1'
    sessionStorage.removeItem(SIGNED_OUT_KEY)
    beginSignIn(config.clientId, { chooseAccount }).catch((error) => {
      ui.signIn.disabled = false
      showSignedOut(`Sign-in could not start: ${messageOf(error)}`)
    })
  })
  ui.signOut.addEventListener('click', () => {
    signOut()
    token = undefined
    sessionStorage.setItem(SIGNED_OUT_KEY, '1')
    current = undefined
    history.replaceState(null, '', '/')
    showSignedOut('You are signed out.')
  })
  ui.newConversation.addEventListener('click', () => {
    showConversation(undefined)
    ui.message.focus()
  })
  window.addEventListener('hashchange', () => {
    const wanted = location.hash.slice(1)
    if (UUID.test(wanted) && wanted !== current) void openConversation(wanted)
  })
  ui.message.addEventListener('input', () => sessionStorage.setItem(DRAFT_KEY, ui.message.value))
  ui.message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      ui.composer.requestSubmit()
    }
  })
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = ui.message.value.trim()
    if (text === '' || busy) return
    if (!workerReady) {
      ui.transcript.append(
        noteItem(
          'The Worker cannot answer until a model is configured: see the note at the top.',
          'error',
        ),
      )
    } else if (undecided() !== null) {
      ui.transcript.append(
        noteItem(
          'Approve or reject the request above first; what you wrote stays in the box.',
          'notice',
        ),
      )
      undecided()?.focus()
    } else {
      void sendMessage(text)
    }
  })
  ui.showAudit.addEventListener('click', () => void showAudit())
  ui.closeAudit.addEventListener('click', () => ui.audit.close())
}

/** @param {string} text */
async function sendMessage(text) {
  setBusy(true)
  const mine = messageItem('user', text)
  ui.transcript.append(mine)
  ui.message.value = ''
  const turn = new LiveTurn(ui.transcript, decide, reload)
  try {
    const ending = await api.chat(
      { message: text, ...(current === undefined ? {} : { conversation_id: current }) },
      (event) => {
        if (event.type === 'turn_started' && current === undefined) opened(event.conversationId)
        turn.handle(event)
      },
    )
    sessionStorage.removeItem(DRAFT_KEY)
    turn.finish(ending)
    undecided()?.focus()
  } catch (error) {
    // Refused before the turn began: the message goes back where it was written.
    mine.remove()
    ui.message.value = text
    refused(error)
  } finally {
    setBusy(false)
    void refreshList()
  }
}

/** @type {import('./live-turn.js').Decide} */
async function decide(approvalId, decision, reason) {
  if (busy) throw new Error('wait for the reply in progress to finish')
  setBusy(true)
  const turn = new LiveTurn(ui.transcript, decide, reload)
  try {
    const ending = await api.decide(
      approvalId,
      { decision, ...(reason === '' ? {} : { reason }) },
      (event) => {
        // The run goes on: the notes that said it was waiting no longer hold.
        if (event.type === 'approval_recorded' && event.waiting === 0) {
          for (const note of ui.transcript.querySelectorAll('.waiting')) note.remove()
        }
        turn.handle(event)
      },
    )
    turn.finish(ending)
    ;(undecided() ?? ui.message).focus()
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) refused(error)
    throw error
  } finally {
    setBusy(false)
    void refreshList()
  }
}

/**
 * The first button (Approve, or Reject when it cannot be approved) of the first request still
 * waiting for a decision here, if any.
 */
function undecided() {
  const selector = '.approval:not(.decided):not(.deciding) .actions button'
  return /** @type {HTMLButtonElement | null} */ (ui.transcript.querySelector(selector))
}

/** @param {string | null} iso */
function when(iso) {
  if (iso === null) return ''
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

function reload() {
  if (current !== undefined) void openConversation(current)
}

/**
 * A new conversation has its id: it becomes the open one, and the address names it.
 * @param {string} id
 */
function opened(id) {
  current = id
  history.replaceState(null, '', `#${id}`)
  ui.showAudit.hidden = false
}

/** @param {string} id */
async function openConversation(id) {
  try {
    const conversation = await api.conversation(id)
    showConversation(id)
    ui.transcript.append(...entryItems(conversation.entries))
    for (const approval of conversation.approvals) {
      ui.transcript.append(
        approvalItem(approval, (decision, reason) => decide(approval.id, decision, reason)),
      )
    }
    ui.transcript.lastElementChild?.scrollIntoView({ block: 'end' })
  } catch (error) {
    refused(error)
  }
}

/** @param {string | undefined} id */
function showConversation(id) {
  current = id
  ui.transcript.replaceChildren()
  ui.showAudit.hidden = id === undefined
  const listed = id === undefined ? undefined : ui.list.querySelector(`a[href="#${id}"] .title`)
  ui.title.textContent =
    listed?.textContent ?? (id === undefined ? 'New conversation' : 'Conversation')
  history.replaceState(null, '', id === undefined ? '/' : `#${id}`)
  markCurrent()
}

async function refreshList() {
  try {
    const { conversations } = await api.conversations()
    ui.list.replaceChildren(
      ...conversations.map((c) => {
        const link = el(
          'a',
          { href: `#${c.id}` },
          el('span', { class: 'title' }, c.title || 'Untitled'),
          el('span', { class: 'when' }, when(c.lastMessageAt)),
        )
        const item = el('li', {}, link)
        if (c.waitingApprovals > 0) {
          item.append(el('span', { class: 'badge' }, `${c.waitingApprovals} waiting`))
        }
        return item
      }),
    )
    ui.empty.hidden = conversations.length > 0
    markCurrent()
  } catch (error) {
    refused(error)
  }
}

function markCurrent() {
  for (const link of ui.list.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#${current}`) {
      link.setAttribute('aria-current', 'page')
      ui.title.textContent = link.querySelector('.title')?.textContent ?? ''
    } else {
      link.removeAttribute('aria-current')
    }
  }
}

async function showAudit() {
  if (current === undefined) return
  try {
    const { events } = await api.audit(current)
    ui.auditEvents.replaceChildren(...events.map(timelineItem))
    ui.audit.showModal()
  } catch (error) {
    refused(error)
  }
}

/** @param {boolean} value */
function setBusy(value) {
  busy = value
  ui.send.disabled = value || !workerReady
  ui.transcript.setAttribute('aria-busy', String(value))
}

/**
 * What a refusal means here: sign in again (keeping the draft), wait, or read the reason.
 * @param {unknown} error
 */
function refused(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut()
    token = undefined
    showSignedOut(
      'Your sign-in has expired or was not accepted: sign in again. What you were writing is kept.',
    )
  } else if (error instanceof ApiError && error.status === 429) {
    ui.transcript.append(noteItem(`${error.message} What you wrote is still in the box.`, 'error'))
  } else {
    ui.transcript.append(noteItem(messageOf(error), 'error'))
  }
}

/** @param {string} [reason] */
function showSignedOut(reason) {
  ui.workspace.hidden = true
  ui.who.hidden = true
  ui.signOut.hidden = true
  ui.signedOut.hidden = false
  const missingClient = config.signIn === 'oauth' && config.clientId === null
  ui.signIn.disabled = missingClient
  ui.signedOutReason.textContent = missingClient
    ? 'Sign-in for the web UI is not set up on this server: register a public client (authorization ' +
      `code with PKCE, redirect URI ${location.origin}/) at its issuer and set AUTH_WEB_CLIENT_ID to its id.`
    : (reason ?? 'Sign in to talk to the Worker: it acts as you, and sees only what you may see.')
  ui.signIn.focus()
}

/** @param {string} text */
function notify(text) {
  ui.notice.textContent = text
  ui.notice.hidden = false
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error)
}
