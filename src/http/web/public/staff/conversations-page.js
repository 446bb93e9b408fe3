// @ts-check
import { explain, pageFrame } from './page-state.js'

/** @type {import('./staff-app.js').PageFactory} */
export function render(context, root) {
  const { body } = pageFrame(root, 'Conversations')
  context.api.get('/api/staff/conversations').catch((error) => explain(context, body, error))
  return { stop: () => {} }
}
