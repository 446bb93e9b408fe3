// @ts-check
import { explain, pageFrame } from './page-state.js'

/** @type {import('./staff-app.js').PageFactory} */
export function render(context, root) {
  const { body } = pageFrame(root, 'Metrics')
  context.api.get('/api/staff/metrics?days=30').catch((error) => explain(context, body, error))
  return { stop: () => {} }
}
