// The support pack's business events, added to the audit vocabulary (the core knows none of them).
declare module '../../src/audit/audit-actions.ts' {
  interface AuditActionRegistry {
    refund_issued: true
    refund_blocked: true
    ticket_escalated: true
    ticket_resolved: true
    ticket_reassigned: true
  }
}

export {}
