import type { StaffPack } from '../../../src/pack/staff-contract.ts'
import { escalationsInbox } from './escalations.ts'
import { supportMetrics } from './metrics.ts'

/** The support pack's part of the staff console. */
export const supportStaff: StaffPack = {
  inbox: [escalationsInbox],
  metrics: supportMetrics,
  // An escalated ticket is a person's work, whoever finishes it.
  personActions: ['ticket_escalated'],
}
