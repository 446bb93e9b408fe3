// The Reading Room's business event, added to the audit vocabulary (the core knows none of it).
declare module '../../src/audit/audit-actions.ts' {
  interface AuditActionRegistry {
    reading_position_saved: true
  }
}

export {}
