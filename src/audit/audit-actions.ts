/**
 * The core's audit vocabulary: one name per event, everywhere. A domain pack adds its own
 * business events by augmenting `AuditActionRegistry`:
 *
 *   declare module '../../src/audit/audit-actions.ts' {
 *     interface AuditActionRegistry { item_archived: true }
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
  seed_run: true
  approval_requested: true
  approval_decided: true
  retention_applied: true
  calls_refused: true
}

export type AuditAction = keyof AuditActionRegistry
