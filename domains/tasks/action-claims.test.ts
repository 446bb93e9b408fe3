import { describe, expect, it } from 'vitest'
import { claimsIn } from '../../src/agent/claimed-actions.ts'
import { TASKS_ACTION_CLAIMS } from './action-claims.ts'

const claimed = (text: string) => claimsIn(text, TASKS_ACTION_CLAIMS).map((c) => c.action)

describe('the task Worker’s claims of an action taken', () => {
  it.each([
    // The confirmation its rules ask for.
    ["I've added 'Buy groceries' to your tasks with high priority!", 'task_added'],
    ["I've marked 'Call the plumber' as done.", 'task_completed'],
    ['I ticked "Water the plants" off.', 'task_completed'],
    ["'Call the plumber' is now done.", 'task_completed'],
    ['I changed its priority to high.', 'task_updated'],
    ['I have deleted "Book dentist appointment".', 'task_deleted'],
  ])('%j claims %s', (text, action) => {
    expect(claimed(text)).toEqual([action])
  })

  it.each([
    'Shall I add "Buy groceries" to your tasks?',
    'I can mark it as done once you confirm.',
    "I haven't deleted anything.",
    'Deleting cannot be undone: should I delete "Book dentist appointment"?',
    'You have 3 pending tasks; "Renew passport" was added last week.',
  ])('%j claims nothing', (text) => {
    expect(claimed(text)).toEqual([])
  })
})
