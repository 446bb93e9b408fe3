// @ts-check
// The staff routes as the console uses them, over the page's API client (its token, its errors).

/**
 * @typedef {{ sub: string, name: string | null, email?: string | null }} Customer
 * @typedef {{ name: string, label: string, type: 'text' | 'choice', choices?: string[], required: boolean }} ActionField
 * @typedef {{ name: string, label: string, fields: ActionField[] }} Action
 * @typedef {{ id: string, kind: string, kindLabel: string, title: string,
 *   lines: Array<{ label: string, value: string }>,
 *   modelText?: Array<{ label: string, text: string }>, customer: Customer | null,
 *   conversationId: string | null, createdAt: string,
 *   claimedBy: import('../api.js').Person | null, claimedAt: string | null,
 *   actions: Action[] }} InboxItem
 * @typedef {{ id: string, title: string | null, customer: Customer | null, startedAt: string,
 *   lastAt: string | null, held: import('../api.js').Person | null }} StaffConversation
 * @typedef {{ name: string, title: string, unit: 'count' | 'percent' | 'usd' | 'ms' | 'tokens',
 *   shape: 'single' | 'breakdown' | 'series', value: number | null,
 *   rows: Array<{ label: string, value: number | null }>, query: string,
 *   description: string }} Figure `rows`: the query's rows, a breakdown's parts or a series'
 *   days (labelled YYYY-MM-DD); `value`: a single figure's, or a count's total
 * @typedef {{ days: number, from: string, to: string, figures: Figure[] }} Metrics
 */

/** @param {import('../api.js').Api} api */
export function staffApi(api) {
  const item = (/** @type {string} */ id) => `/api/staff/inbox/${encodeURIComponent(id)}`
  const conversation = (/** @type {string} */ id) => `/api/conversations/${encodeURIComponent(id)}`
  return {
    /** @returns {Promise<{ items: InboxItem[] }>} */
    inbox: () => api.get('/api/staff/inbox'),
    /** @param {import('../live-stream.js').FollowHandlers} handlers */
    inboxEvents: (handlers) => api.follow('/api/staff/inbox/events', handlers),
    /** @param {string} id @returns {Promise<{ item: InboxItem }>} */
    claim: (id) => api.post(`${item(id)}/claim`),
    /** @param {string} id @returns {Promise<{ item: InboxItem }>} */
    unclaim: (id) => api.post(`${item(id)}/unclaim`),
    /**
     * @param {string} id
     * @param {string} action
     * @param {Record<string, string>} fields
     * @returns {Promise<{ item: InboxItem | null, message: string }>}
     */
    act: (id, action, fields) =>
      api.post(`${item(id)}/actions/${encodeURIComponent(action)}`, fields),
    /** @param {number} limit @returns {Promise<{ conversations: StaffConversation[] }>} */
    conversations: (limit) => api.get(`/api/staff/conversations?limit=${limit}`),
    /** @param {string} id @returns {Promise<{ held: true, by: import('../api.js').Person }>} */
    takeover: (id) => api.post(`${conversation(id)}/takeover`),
    /** @param {string} id @param {string} text */
    reply: (id, text) => api.post(`${conversation(id)}/messages`, { text }),
    /** @param {string} id @returns {Promise<{ held: false }>} */
    release: (id) => api.post(`${conversation(id)}/release`),
    /**
     * A staff-routed request's decision: JSON, not a turn.
     * @param {string} id
     * @param {'approve' | 'reject'} decision
     * @param {string} reason
     * @returns {Promise<{ request: import('../api.js').StaffRequest }>}
     */
    decideRequest: (id, decision, reason) =>
      api.post(`/api/approvals/${encodeURIComponent(id)}`, {
        decision,
        ...(reason === '' ? {} : { reason }),
      }),
    /** @param {number} days @returns {Promise<Metrics>} */
    metrics: (days) => api.get(`/api/staff/metrics?days=${days}`),
  }
}

/** @typedef {ReturnType<typeof staffApi>} StaffApi */
