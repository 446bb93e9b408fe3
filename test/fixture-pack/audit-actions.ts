// The fixture pack's business events, added to the audit vocabulary (the core knows none of them).
declare module '../../src/audit/audit-actions.ts' {
  interface AuditActionRegistry {
    room_booked: true
    booking_cancelled: true
  }
}

export {}
