import type { JsonObject } from '../lib/json.ts'
import type { ToolDefinition } from '../pack/tool-definition.ts'
import {
  type ApprovalSummary,
  approvalSummarySchema,
  summaryText,
} from '../protocol/approval-summary.ts'

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

/** What the audit trail keeps of a preview: its title and labels (the values are in the records). */
export function auditedPreview(data: JsonObject): JsonObject {
  const parsed = approvalSummarySchema.safeParse(data)
  if (!parsed.success) return {}
  return {
    preview: parsed.data.title,
    labels: [...parsed.data.lines, ...parsed.data.model_text].map((entry) => entry.label),
  }
}
