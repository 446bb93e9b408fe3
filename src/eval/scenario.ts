import { z } from 'zod'

/**
 * A text the replies must contain (or must not): a plain string, matched case-insensitively, or a
 * regular expression written `/source/flags`.
 */
const textMatch = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .superRefine((text, ctx) => {
    try {
      textPattern(text)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
    }
  })

/** `/source/flags` as a regular expression; any other text matched case-insensitively as text. */
export function textPattern(text: string): RegExp {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(text)
  if (literal !== null) return new RegExp(literal[1] as string, literal[2])
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')
}

const toolName = z.string().regex(/^[a-z_][a-z0-9_]*$/, { error: 'must be a tool name' })

const actionName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { error: 'must be an audit action name (lower_snake_case)' })

const identitySchema = z.strictObject({
  /** The verified subject; by default the pack's demo person of `role`. */
  sub: z.string().min(1).max(200).optional(),
  role: z.enum(['customer', 'staff'], { error: 'must be customer or staff' }).default('customer'),
  /** An email the issuer verified, when the pack links people by it. */
  email: z.email({ error: 'must be an email address' }).optional(),
  name: z.string().min(1).max(200).optional(),
})

/** A fixture: a statement run on the trial's copy, or rows inserted into one table. */
const fixtureSchema = z.union([
  z.strictObject({ sql: z.string().trim().min(1) }),
  z.strictObject({
    table: z.string().regex(/^[a-z_][a-z0-9_]*$/, { error: 'must be a table name' }),
    rows: z.array(z.record(z.string(), z.unknown())).min(1),
  }),
])

/** An end-state assertion: a query on the trial's copy and what it must return. */
const rowAssertionSchema = z
  .strictObject({
    /** What it checks, in words: shown when it fails. */
    name: z.string().trim().min(1).max(300),
    sql: z.string().trim().min(1),
    /** The rows it returns, exactly (columns by name; numbers, strings, booleans, null). */
    equals: z.array(z.record(z.string(), z.unknown())).optional(),
    /** How many rows it returns. */
    count: z.int().min(0).optional(),
  })
  .refine((a) => (a.equals === undefined) !== (a.count === undefined), {
    error: 'give equals or count (one of them)',
  })

const referenceActionSchema = z.union([
  z.strictObject({
    /** Who makes the call: the scenario's user (default), or the staff member. */
    as: z.enum(['customer', 'staff']).default('customer'),
    tool: toolName,
    arguments: z.record(z.string(), z.unknown()).default({}),
    /** The gateway is meant to refuse this call (another customer's order, say). */
    refused: z.boolean().default(false),
  }),
  z.strictObject({
    as: z.literal('staff', { error: 'only staff decide a request' }),
    /** Staff's decision on the oldest request put to them that is still waiting. */
    decide: z.enum(['approved', 'rejected'], { error: 'must be approved or rejected' }),
    reason: z.string().trim().min(1).max(500).optional(),
  }),
])

export const scenarioSchema = z.strictObject({
  /** Unique in its suite: letters, digits and - (shown in reports). */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, {
    error: 'must be lower-case letters, digits and -, at most 80',
  }),
  title: z.string().trim().min(1).max(200),
  /** Labels to choose scenarios by (`fte eval --tag refunds`). */
  tags: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be a lower-case label' }))
    .default([]),
  /** The signed-in user the Worker talks to. */
  user: identitySchema.default({ role: 'customer' }),
  /** Who the simulated customer is, and how they talk: instructions for the user simulator. */
  persona: z.string().trim().min(1).max(4000),
  /** What they want; the simulator ends the conversation when it is met or refused. */
  goal: z.string().trim().min(1).max(4000),
  /** The scripted simulator's turns, in order (the LLM simulator opens with the first). */
  messages: z.array(z.string().trim().min(1).max(8000)).min(1),
  /** How the scripted customer answers the Worker's requests for consent. */
  approvals: z
    .enum(['approve', 'reject'], { error: 'must be approve or reject' })
    .default('approve'),
  fixtures: z.array(fixtureSchema).default([]),
  /** The most user turns the conversation may take. */
  max_turns: z.int().min(1).max(50).default(8),
  expect: z
    .strictObject({
      rows: z.array(rowAssertionSchema).default([]),
      audit: z
        .strictObject({
          /** Actions the trial's audit trail must show. */
          required: z.array(actionName).default([]),
          /** Actions it must not. */
          forbidden: z.array(actionName).default([]),
        })
        .default({ required: [], forbidden: [] }),
      calls: z
        .strictObject({
          /** Gateway tools the trial must have called, with success. */
          required: z.array(toolName).default([]),
          /** Gateway tools it must not have called at all. */
          forbidden: z.array(toolName).default([]),
        })
        .default({ required: [], forbidden: [] }),
      /** What the replies, taken together, must say. */
      facts: z.array(textMatch).default([]),
      /** What no reply may say. */
      never: z.array(textMatch).default([]),
    })
    .default({
      rows: [],
      audit: { required: [], forbidden: [] },
      calls: { required: [], forbidden: [] },
      facts: [],
      never: [],
    }),
  /** What a perfect agent does: its calls, staff's decisions, and its reply. */
  reference: z
    .strictObject({
      actions: z.array(referenceActionSchema).default([]),
      /** A reply that says everything the facts ask (graded in the reference replay). */
      reply: z.string().trim().min(1).max(8000),
    })
    .optional(),
})

export const scenarioFileSchema = z.strictObject({
  /** The domain pack the scenarios run on (FTE_DOMAIN's names). */
  domain: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'must be a domain name' }),
  /** What the suite is, for reports. */
  suite: z.string().trim().min(1).max(100).optional(),
  scenarios: z.array(scenarioSchema).min(1, { error: 'needs at least one scenario' }),
})

export type Scenario = z.output<typeof scenarioSchema>
export type ScenarioFile = z.output<typeof scenarioFileSchema>
export type ReferenceAction = Scenario extends { reference?: infer R }
  ? R extends { actions: Array<infer A> }
    ? A
    : never
  : never
export type RowAssertion = Scenario['expect']['rows'][number]
export type Fixture = Scenario['fixtures'][number]

/** A scenario as loaded: with the file and suite it came from. */
export interface LoadedScenario extends Scenario {
  domain: string
  suite: string
  /** Where it was read from, for messages. */
  file: string
}
