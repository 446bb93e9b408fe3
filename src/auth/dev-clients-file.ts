import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { AdapterPayload } from 'oidc-provider'

/**
 * The clients that registered themselves with the development authorization server, kept in a
 * file (mode 600) so that they keep their id across restarts. One JSON line per change, appended:
 * a registration writes its own line and never the others again. A line naming only a
 * `client_id` and `removed` forgets that client. (Files written before, one JSON object of all
 * clients by id, are read the same way.)
 */
export interface ClientsFile {
  /** The clients the file held when it was opened, by id. */
  readonly clients: ReadonlyMap<string, AdapterPayload>
  /** Records a client (its whole metadata), or that it was removed. */
  append(id: string, payload: AdapterPayload | undefined): Promise<void>
}

export async function openClientsFile(file: string): Promise<ClientsFile> {
  const clients = new Map<string, AdapterPayload>()
  let text = ''
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  for (const line of text.split('\n')) {
    for (const [id, payload] of entriesOf(line)) {
      if (payload === undefined) clients.delete(id)
      else clients.set(id, payload)
    }
  }
  // A line cut short by a crash is skipped above; the next one must not be glued to it.
  let separator = text === '' || text.endsWith('\n') ? '' : '\n'
  let writing: Promise<void> = Promise.resolve()
  return {
    clients,
    append(id, payload) {
      const line = JSON.stringify(
        payload === undefined ? { client_id: id, removed: true } : payload,
      )
      const write = async () => {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 })
        await appendFile(file, `${separator}${line}\n`, { mode: 0o600 })
        separator = ''
        await chmod(file, 0o600)
      }
      // One write at a time, in order; a failed one fails its registration, not the next.
      writing = writing.then(write, write)
      return writing
    },
  }
}

/** What one line says: a client, a removal, or (the earlier format) every client by id. */
function entriesOf(line: string): Array<[string, AdapterPayload | undefined]> {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return []
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return []
  const record = parsed as Record<string, unknown>
  if (typeof record.client_id === 'string') {
    return [[record.client_id, record.removed === true ? undefined : (record as AdapterPayload)]]
  }
  return Object.entries(record).flatMap(([id, payload]) =>
    typeof payload === 'object' && payload !== null ? [[id, payload as AdapterPayload]] : [],
  )
}
