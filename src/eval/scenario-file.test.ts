import { describe, expect, it } from 'vitest'
import { parseScenarioFile, ScenarioFileError } from './scenario-file.ts'

const VALID = `domain: support
suite: refunds
scenarios:
  - id: late-refund
    title: A late refund is traced
    persona: A Pro customer.
    goal: Know where the refund is.
    messages: ["Where is my refund?"]
    reference:
      actions:
        - tool: domain_lookup_order
          arguments: { order: "4429" }
        - as: staff
          decide: approved
      reply: It was issued two weeks ago.
`

function problemsOf(text: string): readonly string[] {
  try {
    parseScenarioFile(text, 'suite.yaml')
  } catch (error) {
    if (error instanceof ScenarioFileError) return error.problems
    throw error
  }
  throw new Error('the file was accepted')
}

describe('scenario files', () => {
  it('reads a valid file with its defaults filled in', () => {
    const [scenario] = parseScenarioFile(VALID, 'suite.yaml')
    expect(scenario).toMatchObject({
      id: 'late-refund',
      domain: 'support',
      suite: 'refunds',
      file: 'suite.yaml',
      user: { role: 'customer' },
      approvals: 'approve',
      max_turns: 8,
      fixtures: [],
      expect: {
        rows: [],
        audit: { required: [], forbidden: [] },
        calls: { required: [], forbidden: [] },
        facts: [],
        never: [],
      },
    })
    expect(scenario?.reference?.actions).toEqual([
      { as: 'customer', tool: 'domain_lookup_order', arguments: { order: '4429' }, refused: false },
      { as: 'staff', decide: 'approved' },
    ])
  })

  it('names every problem of a broken file with its line', () => {
    const broken = `domain: support
scenarios:
  - id: Not An Id
    title: Broken
    persona: Someone.
    messages: []
    max_turns: 0
    expect:
      rows:
        - name: no expectation
          sql: SELECT 1
      audit:
        required: [Not-An-Action]
      facts: ["/(unclosed/"]
`
    expect(problemsOf(broken)).toEqual([
      'line 3: scenarios.0.id: must be lower-case letters, digits and -, at most 80',
      'line 3: scenarios.0.goal: is required',
      'line 6: scenarios.0.messages: Too small: expected array to have >=1 items',
      'line 7: scenarios.0.max_turns: Too small: expected number to be >=1',
      'line 10: scenarios.0.expect.rows.0: give equals or count (one of them)',
      'line 13: scenarios.0.expect.audit.required.0: must be an audit action name (lower_snake_case)',
      'line 14: scenarios.0.expect.facts.0: Invalid regular expression: /(unclosed/: Unterminated group',
    ])
  })

  it('names the line of a YAML syntax error', () => {
    const problems = problemsOf('domain: support\nscenarios:\n  - id: a\n    title: [unclosed\n')
    expect(problems[0]).toMatch(/^line [45]: /)
  })

  it('refuses two scenarios with one id, naming the second', () => {
    const twice = VALID + VALID.split('scenarios:\n')[1]
    expect(problemsOf(twice)).toEqual([
      'line 16: scenarios.1.id: "late-refund" is already the id of scenario 0',
    ])
  })

  it('refuses a file that is not a mapping', () => {
    expect(problemsOf('- just\n- a list\n')).toEqual([
      'line 1: a scenario file is a mapping with domain and scenarios',
    ])
  })
})
