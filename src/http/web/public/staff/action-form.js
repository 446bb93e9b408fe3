// @ts-check
// An inbox action's form, as the server describes it: a text box or a choice per field, the
// required ones marked, then the action's own button.
import { el, messageOf } from '../dom.js'

let forms = 0

/**
 * @param {import('./staff-api.js').Action} action
 * @param {(fields: Record<string, string>) => Promise<void>} submit
 * @param {() => void} cancel
 */
export function actionForm(action, submit, cancel) {
  const form = /** @type {HTMLFormElement} */ (el('form', { class: 'action-form' }))
  const prefix = `action-${++forms}`
  /** @type {Array<[string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement]>} */
  const controls = []
  for (const field of action.fields) {
    const id = `${prefix}-${field.name}`
    const label = el(
      'label',
      { for: id },
      field.required ? field.label : `${field.label} (optional)`,
    )
    const control =
      field.type === 'choice'
        ? /** @type {HTMLSelectElement} */ (
            el(
              'select',
              { id, name: field.name },
              ...(field.choices ?? []).map((choice) => el('option', { value: choice }, choice)),
            )
          )
        : /** @type {HTMLTextAreaElement} */ (
            el('textarea', { id, name: field.name, rows: '2', maxlength: '1000' })
          )
    if (field.required) control.setAttribute('required', '')
    controls.push([field.name, control])
    form.append(el('div', { class: 'field' }, label, control))
  }
  const go = el('button', { type: 'submit', class: 'primary' }, action.label)
  const back = el('button', { type: 'button' }, 'Cancel')
  const status = el('p', { class: 'form-status', role: 'status' })
  form.append(el('div', { class: 'actions' }, go, back), status)
  back.addEventListener('click', cancel)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    /** @type {Record<string, string>} */
    const fields = {}
    for (const [name, control] of controls) {
      const value = control.value.trim()
      if (value !== '') fields[name] = value
    }
    go.setAttribute('disabled', '')
    status.textContent = 'Sending…'
    try {
      await submit(fields)
      status.textContent = ''
    } catch (error) {
      status.textContent = `Not done: ${messageOf(error)}`
    } finally {
      go.removeAttribute('disabled')
    }
  })
  queueMicrotask(() => controls[0]?.[1].focus())
  return form
}
