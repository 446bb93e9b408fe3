/**
 * The batched deletes retention runs over what memory keeps. Each takes the cutoff as an SQL
 * expression over `$1` and deletes at most `$2` rows per statement. What is still in use stays
 * whatever its age: a conversation with a run or with activity since the cutoff, and runs waiting
 * for a decision.
 */
export const memoryExpiry = {
  messages: (cutoff: string) =>
    `DELETE FROM messages WHERE id IN (
       SELECT id FROM messages WHERE created_at < ${cutoff} LIMIT $2)`,

  /** A finished run's stored state repeats the conversation: it goes with the messages. */
  finishedRuns: (cutoff: string) =>
    `DELETE FROM agent_runs WHERE id IN (
       SELECT id FROM agent_runs
       WHERE status IN ('finished', 'failed') AND updated_at < ${cutoff} LIMIT $2)`,

  idleConversations: (cutoff: string) =>
    `DELETE FROM conversations WHERE id IN (
       SELECT c.id FROM conversations c
       WHERE c.started_at < ${cutoff}
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM agent_runs r WHERE r.conversation_id = c.id)
         -- a turn in progress has written message_received but not yet its messages
         AND NOT EXISTS (SELECT 1 FROM audit_log a
                         WHERE a.conversation_id = c.id AND a.created_at >= ${cutoff})
       LIMIT $2)`,

  /**
   * The gateway's answered questions hold a call's summary, the Worker's words in it too: they go
   * with the messages. One still open stays (its answer is awaited, or closed as none first).
   */
  answeredConsents: (cutoff: string) =>
    `DELETE FROM consent_requests WHERE id IN (
       SELECT id FROM consent_requests WHERE answer IS NOT NULL AND asked_at < ${cutoff} LIMIT $2)`,

  /** Trace spans are kept as long as the audit rows they explain. */
  spans: (cutoff: string) =>
    `DELETE FROM agent_spans WHERE (trace_id, span_id) IN (
       SELECT trace_id, span_id FROM agent_spans WHERE started_at < ${cutoff} LIMIT $2)`,
}
