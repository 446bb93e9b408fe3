// The task pack's business events, added to the audit vocabulary (the core knows none of them).
declare module '../../src/audit/audit-actions.ts' {
  interface AuditActionRegistry {
    task_added: true
    task_completed: true
    task_updated: true
    task_deleted: true
  }
}

export {}
