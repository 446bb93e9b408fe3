import type { Adapter, AdapterPayload } from 'oidc-provider'
import type { ClientsFile } from './dev-clients-file.ts'

/** What oidc-provider revokes with a grant (as its own memory adapter does). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
])

export interface DevStorage {
  /** oidc-provider's `adapter` option. */
  adapter: (model: string) => Adapter
  /** How many clients registered themselves (those configured in code are not stored here). */
  registeredClients(): number
}

/**
 * oidc-provider's storage, in memory: one map per server. Registered clients are also written to
 * `saved`, one line each, and read back from it at start. A client id that nothing stored names is
 * then asked of `unstored` (a client described elsewhere, never kept here).
 */
export function devStorage(
  saved?: ClientsFile,
  unstored?: (id: string) => Promise<AdapterPayload | undefined>,
): DevStorage {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number | undefined }>()
  const clients = new Set<string>()
  for (const [id, payload] of saved?.clients ?? []) {
    store.set(`Client:${id}`, { payload, expiresAt: undefined })
    clients.add(id)
  }
  const byGrant = new Map<string, Set<string>>()
  const get = (key: string): AdapterPayload | undefined => {
    const hit = store.get(key)
    if (hit === undefined) return undefined
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) {
      store.delete(key)
      return undefined
    }
    return hit.payload
  }
  const index = (key: string) => (get(key) as { id?: string } | undefined)?.id
  const adapter = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const key = `${model}:${id}`
      if (model === 'Client') {
        // Written before it is usable: a client told its id can count on it after a restart.
        await saved?.append(id, payload)
        clients.add(id)
      }
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined
      store.set(key, { payload, expiresAt })
      if (model === 'Session' && payload.uid !== undefined) {
        store.set(`uid:${payload.uid}`, { payload: { id } as AdapterPayload, expiresAt })
      }
      if (payload.userCode !== undefined) {
        store.set(`userCode:${payload.userCode}`, { payload: { id } as AdapterPayload, expiresAt })
      }
      // Only a grant's tokens and codes go with it: an interaction also names the grant it
      // continues, and must outlive that grant's end (signing in as someone else ends it).
      if (payload.grantId !== undefined && GRANTABLE.has(model)) {
        const keys = byGrant.get(payload.grantId) ?? new Set<string>()
        keys.add(key)
        byGrant.set(payload.grantId, keys)
      }
    },
    async find(id) {
      const stored = get(`${model}:${id}`)
      return stored !== undefined || model !== 'Client' ? stored : unstored?.(id)
    },
    async findByUid(uid) {
      const id = index(`uid:${uid}`)
      return id === undefined ? undefined : get(`${model}:${id}`)
    },
    async findByUserCode(userCode) {
      const id = index(`userCode:${userCode}`)
      return id === undefined ? undefined : get(`${model}:${id}`)
    },
    async consume(id) {
      const payload = get(`${model}:${id}`)
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000)
    },
    async destroy(id) {
      if (model === 'Client') {
        await saved?.append(id, undefined)
        clients.delete(id)
      }
      store.delete(`${model}:${id}`)
    },
    async revokeByGrantId(grantId) {
      for (const key of byGrant.get(grantId) ?? []) store.delete(key)
      byGrant.delete(grantId)
    },
  })
  return { adapter, registeredClients: () => clients.size }
}
