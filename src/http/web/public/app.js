// @ts-check
// The page: sign in, ask the server who this is, and load what that role uses: the chat for a
// customer, the staff console (inbox, any conversation, metrics, and the chat) for staff. State
// lives on the server; this tab keeps its token and the message being written.
import { ApiError, createApi } from './api.js'
import { byId, el, messageOf } from './dom.js'
import { avatar, personName } from './format.js'
import { beginSignIn, finishSignIn, signOut, storedToken } from './sign-in.js'

const SIGNED_OUT_KEY = 'fte.signed-out'
const DEFAULT_REASON =
  'Sign in to talk to the Worker: it acts as you, and sees only what you may see.'

const ui = {
  who: byId('who'),
  signOut: byId('sign-out'),
  notice: byId('notice'),
  signedOut: byId('signed-out'),
  signedOutReason: byId('signed-out-reason'),
  signIn: /** @type {HTMLButtonElement} */ (byId('sign-in')),
  workspace: byId('workspace'),
}

/**
 * @typedef {{ name: string, description: string, examplePrompt?: string }} Domain
 * @typedef {({ signIn: 'disabled' } | { signIn: 'oauth', clientId: string | null }) & { domain?: Domain | null }} Config
 */
/** @type {Config} */
let config = { signIn: 'disabled' }
/** @type {import('./sign-in.js').Token | undefined} */
let token
/** @type {{ stop: () => void } | undefined} what the signed-in role runs */
let running

const api = createApi(() => token?.accessToken)

/**
 * What a role's module is handed: the API, who is signed in, whether the Worker can answer, and
 * the page's shared ways to report a refusal or a notice.
 * @typedef {{
 *   api: import('./api.js').Api,
 *   me: import('./api.js').Me,
 *   worker: { ready: boolean, problem?: string },
 *   domain: Domain | null,
 *   refused: (error: unknown, show?: (text: string) => void) => void,
 *   notify: (text: string) => void,
 * }} Context
 */

wire()
boot().catch((error) => notify(`The page could not start: ${messageOf(error)}`))

async function boot() {
  config = await (await fetch('/app/config.json')).json()
  if (config.domain) {
    const domain = byId('domain')
    domain.textContent = config.domain.description
    domain.hidden = false
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
  const name = personName(me)
  const label =
    config.signIn === 'disabled'
      ? `Acting as ${me.sub} (${me.role}): sign-in is disabled on this server`
      : `Signed in as ${me.email ?? me.sub} (${me.role})`
  ui.who.replaceChildren(
    avatar(me.role === 'staff' ? 'staff' : 'user', name),
    el('span', { class: 'who-name' }, name),
    el('span', { class: 'visually-hidden' }, label),
  )
  ui.who.title = label
  ui.who.hidden = false
  ui.signOut.hidden = config.signIn === 'disabled'
  if (worker.ready) {
    ui.notice.hidden = true
  } else if (worker.problem !== undefined) {
    const problem = worker.problem.charAt(0).toUpperCase() + worker.problem.slice(1)
    notify(
      `The Worker cannot answer yet. ${problem}. Set it in .env (see .env.example) or the ` +
        'environment, then restart the server; to try it without a provider, see "The web UI" in ' +
        'the README. Your conversations and their audit trails are readable meanwhile.',
    )
  } else {
    notify('The assistant is unavailable right now. You can still read your conversations.')
  }
  ui.signedOut.hidden = true
  ui.workspace.hidden = false
  /** @type {Context} */
  const context = { api, me, worker, domain: config.domain ?? null, refused, notify }
  const role =
    me.role === 'staff'
      ? await import('./staff/staff-app.js')
      : await import('./customer/customer-app.js')
  running = role.start(context)
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
    history.replaceState(null, '', '/')
    showSignedOut('You are signed out.')
  })
}

/**
 * What a refusal means here: sign in again (keeping the draft), or read the reason where the
 * caller shows it.
 * @param {unknown} error
 * @param {(text: string) => void} [show]
 */
function refused(error, show = notify) {
  if (error instanceof ApiError && error.status === 401) {
    signOut()
    token = undefined
    showSignedOut(
      'Your sign-in has expired or was not accepted: sign in again. What you were writing is kept.',
    )
  } else if (error instanceof ApiError && error.status === 429) {
    show(`${error.message} What you wrote is still in the box.`)
  } else {
    show(messageOf(error))
  }
}

/** @param {string} [reason] */
function showSignedOut(reason) {
  running?.stop()
  running = undefined
  ui.workspace.hidden = true
  ui.who.hidden = true
  ui.signOut.hidden = true
  ui.signedOut.hidden = false
  const missingClient = config.signIn === 'oauth' && config.clientId === null
  ui.signIn.disabled = missingClient
  ui.signedOutReason.textContent = missingClient
    ? 'Sign-in for the web UI is not set up on this server: register a public client (authorization ' +
      `code with PKCE, redirect URI ${location.origin}/) at its issuer and set AUTH_WEB_CLIENT_ID to its id.`
    : (reason ?? DEFAULT_REASON)
  ui.signIn.focus()
}

/** @param {string} text */
function notify(text) {
  ui.notice.textContent = text
  ui.notice.hidden = false
}
