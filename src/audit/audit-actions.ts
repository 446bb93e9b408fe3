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
  /** The gateway asked the person a call acts for to confirm it, and what they answered. */
  consent_asked: true
  consent_given: true
  consent_declined: true
  retention_applied: true
  calls_refused: true
  /** A call the gateway put to staff instead of running it for its caller. */
  staff_request_routed: true
  /** Staff approved or rejected such a request (by whom, for whom). */
  staff_request_decided: true
  /** A person took a conversation over from the Worker, or handed it back. */
  handoff_started: true
  handoff_ended: true
  /** A person (not the Worker) wrote in a conversation. */
  person_message: true
  /** The Worker's reply was dropped: a person took the conversation over while it was written. */
  reply_withheld: true
  inbox_claimed: true
  inbox_unclaimed: true
  /** A job (woken by an email, a webhook or a schedule) started, finished or failed an attempt. */
  job_started: true
  job_finished: true
  job_failed: true
  /** A job stopped at the edge of its envelope (tools, budget, steps) and went to a person. */
  job_handed_over: true
  /** A person dealt with a job handed to them, tried a failed one again, or cancelled one. */
  job_resolved: true
  job_retried: true
  job_cancelled: true
  /** An email or webhook refused at the door (signature, age, replay, size, form). */
  inbound_refused: true
  /** An email received (one row per message, by Message-ID), and a reply sent or drafted. */
  email_received: true
  email_sent: true
  email_drafted: true
  /** Staff sent or discarded a drafted reply. */
  email_draft_decided: true
}

export type AuditAction = keyof AuditActionRegistry
