import { z } from 'zod'
import type { JsonObject } from '../lib/json.ts'
import type { ToolDefinition } from './gateway-tool.ts'

/**
 * What a person approves: the call as the server reads it, from the parsed arguments and the
 * records (order, customer, amount in currency…), in label/value lines; free text the model wrote
 * apart, to be shown as the model's words. It is never truncated: the bounds here refuse a summary
 * instead (fail closed), and every value comes from an argument its tool's schema already bounds.
 */
export const approvalSummarySchema = z.strictObject({
  title: z.string().min(1).max(300),
  lines: z
    .array(z.strictObject({ label: z.string().min(1).max(100), value: z.string().max(20_000) }))
    .max(40),
  model_text: z
    .array(z.strictObject({ label: z.string().min(1).max(100), text: z.string().max(20_000) }))
    .max(10),
})

export type ApprovalSummary = z.output<typeof approvalSummarySchema>

/**
 * A call's preview, run in place of the tool: its `describe`, or (a tool without one) its parsed
 * arguments as they stand, the free-text ones (`sensitive`) as the model's words. The summary is
 * checked before it is sent.
 */
export function previewOf(tool: ToolDefinition): Pick<ToolDefinition, 'run'> {
  return {
    async run(ctx, input) {
      const built =
        tool.describe === undefined
          ? argumentsSummary(tool, input)
          : await tool.describe(ctx, input)
      const summary = approvalSummarySchema.parse(built)
      return { data: summary as unknown as JsonObject, text: summaryText(summary) }
    },
  }
}

function argumentsSummary(tool: ToolDefinition, input: Record<string, unknown>): ApprovalSummary {
  const summary: ApprovalSummary = { title: tool.title, lines: [], model_text: [] }
  for (const [name, value] of Object.entries(input)) {
    if (name === 'session' || value === undefined) continue
    if (typeof value === 'string' && tool.sensitive?.includes(name)) {
      summary.model_text.push({ label: name, text: value })
    } else {
      summary.lines.push({
        label: name,
        value: typeof value === 'string' ? value : JSON.stringify(value),
      })
    }
  }
  return summary
}

/** The summary for a terminal or a model: the lines, then the model's words marked as such. */
export function summaryText(summary: ApprovalSummary): string {
  const lines = [summary.title, ...summary.lines.map((line) => `  ${line.label}: ${line.value}`)]
  for (const said of summary.model_text) {
    lines.push(`  ${said.label}, in the Worker's words (not checked by the server):`)
    lines.push(...said.text.split('\n').map((text) => `    | ${text}`))
  }
  return lines.join('\n')
}

/** What the audit trail keeps of a preview: its title and labels (the values are in the records). */
export function auditedPreview(data: JsonObject): JsonObject {
  const parsed = approvalSummarySchema.safeParse(data)
  if (!parsed.success) return {}
  return {
    preview: parsed.data.title,
    labels: [...parsed.data.lines, ...parsed.data.model_text].map((entry) => entry.label),
  }
}
