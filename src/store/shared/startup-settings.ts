import { SESSION_ENDING } from './session-rules.ts'

/**
 * The settings a client asks for at start-up (`statement_timeout`, or `-c name=value` in `options`,
 * as node-postgres sends a read-only pool's `default_transaction_read_only`). A server keeps them
 * for the connection's life; on the shared session the host applies them at the start of each of
 * the client's turns and resets them at its end, so they hold for that client and no other.
 */

/** Start-up parameters that are not settings, or that the host answers itself. */
const NOT_SETTINGS = new Set([
  'user',
  'database',
  'replication',
  'options',
  'client_encoding',
  'application_name',
  'fallback_application_name',
])

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/

export function startupSettings(params: Map<string, string>): [string, string][] {
  const settings = new Map<string, string>()
  for (const [name, value] of params) {
    if (!NOT_SETTINGS.has(name)) settings.set(name, value)
  }
  for (const [name, value] of optionSettings(params.get('options') ?? '')) settings.set(name, value)
  for (const name of settings.keys()) {
    if (!NAME.test(name)) throw new Error(`invalid setting name ${JSON.stringify(name)}`)
    if (SESSION_ENDING.test(name) || /^(role|session_authorization)$/i.test(name)) {
      throw new Error(`${name} cannot be set on the shared embedded database (it has one session)`)
    }
  }
  return [...settings]
}

/** `-c name=value`, `-cname=value` and `--name=value` from the `options` parameter. */
function optionSettings(options: string): [string, string][] {
  const words = options.split(/(?<!\\)\s+/).filter((word) => word !== '')
  const pairs: [string, string][] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    let setting: string | undefined
    if (word === '-c') setting = words[++i]
    else if (word.startsWith('-c')) setting = word.slice(2)
    else if (word.startsWith('--')) setting = word.slice(2)
    const equals = setting?.indexOf('=') ?? -1
    if (setting === undefined || equals < 1) continue
    pairs.push([
      setting.slice(0, equals).replaceAll('-', '_'),
      setting.slice(equals + 1).replaceAll('\\ ', ' '),
    ])
  }
  return pairs
}
