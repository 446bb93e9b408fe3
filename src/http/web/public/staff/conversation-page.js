// @ts-check
import { explain, pageFrame } from './page-state.js'

/** @type {import('./staff-app.js').PageFactory} */
export function render(context, root, route) {
  const { body } = pageFrame(root, 'Conversation')
  context.api.conversation(route.id).catch((error) => explain(context, body, error))
  return { stop: () => {} }
}
