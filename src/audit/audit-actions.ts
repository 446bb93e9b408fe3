/**
 * The canonical audit vocabulary: one name per event, everywhere. A domain pack adds its own
 * business events by augmenting `AuditActionRegistry`:
 *
 *   declare module '../../src/audit/audit-actions.ts' {
 *     interface AuditActionRegistry { order_cancelled: true }
 *   }
 */
export interface AuditActionRegistry {
  message_received: true
  message_sent: true
  skill_activated: true
  capability_invoked: true
  guardrail_tripped: true
  session_started: true
  note_saved: true
  refund_issued: true
  refund_blocked: true
  ticket_escalated: true
  seed_run: true
  approval_requested: true
  approval_decided: true
  retention_applied: true
  calls_refused: true
}

export type AuditAction = keyof AuditActionRegistry

export const CANONICAL_AUDIT_ACTIONS = [
  'message_received',
  'message_sent',
  'skill_activated',
  'capability_invoked',
  'guardrail_tripped',
  'session_started',
  'note_saved',
  'refund_issued',
  'refund_blocked',
  'ticket_escalated',
  'seed_run',
  'approval_requested',
  'approval_decided',
  'retention_applied',
  'calls_refused',
] as const satisfies readonly AuditAction[]
