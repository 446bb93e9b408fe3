import { z } from 'zod'

/**
 * What a person approves: the call as the server reads it, from the parsed arguments and the
 * records (order, customer, amount in currency…), in label/value lines; free text the model wrote
 * apart, to be shown as the model's words. It is never truncated: the bounds here refuse a summary
 * instead (fail closed), and every value comes from an argument its tool's schema already bounds.
 */
export const approvalSummarySchema = z.strictObject({
  title: z.string().min(1).max(300),
  /** The question put to the person it concerns, in plain words ("Refund $312.00 to your card?"). */
  prompt: z.string().min(1).max(300).optional(),
  lines: z
    .array(z.strictObject({ label: z.string().min(1).max(100), value: z.string().max(20_000) }))
    .max(40),
  model_text: z
    .array(z.strictObject({ label: z.string().min(1).max(100), text: z.string().max(20_000) }))
    .max(10),
})

export type ApprovalSummary = z.output<typeof approvalSummarySchema>

/** The summary for a terminal or a model: the lines, then the model's words marked as such. */
export function summaryText(summary: ApprovalSummary): string {
  const lines = [summary.title, ...summary.lines.map((line) => `  ${line.label}: ${line.value}`)]
  for (const said of summary.model_text) {
    lines.push(`  ${said.label}, in the Worker's words (not checked by the server):`)
    lines.push(...said.text.split('\n').map((text) => `    | ${text}`))
  }
  return lines.join('\n')
}
