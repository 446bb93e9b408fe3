import { z } from 'zod'
import '../audit-actions.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../src/pack/tool-definition.ts'
import { BOOKING_REF, findBooking, shownBooking } from './booking.ts'

export const cancelBookingTool = defineTool({
  name: 'domain_cancel_booking',
  title: 'Cancel a booking',
  description:
    'Cancels one of the person’s bookings, giving the room up. The Worker asks the person to ' +
    'approve it first.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    booking: BOOKING_REF,
    reason: z.string().trim().min(1).max(500).describe('Why, in the person’s words'),
  }),
  annotations: writes({ destructive: true, idempotent: true }),
  // A cancelled room may be taken at once: the person says yes first, asked by the gateway.
  consent: 'server',
  // Its own scope: a person who may book (write) may still be kept from cancelling.
  scope: 'cancel',
  sensitive: ['reason'],
  async run(ctx, input) {
    const booking = await findBooking(ctx, input.booking, { lock: true })
    // The fixture's staff route: a booking that has begun is cancelled only on a staff decision.
    const begun = booking.day <= new Date().toISOString().slice(0, 10)
    if (!booking.cancelled && begun && ctx.identity.role !== 'staff') {
      const request = await ctx.requestStaffDecision({
        kind: 'late_cancel',
        summary: {
          title: `Cancel booking #${booking.number}: ${booking.room} on ${booking.day}`,
          prompt: `Cancel ${booking.room} on ${booking.day}, which has begun?`,
          lines: [{ label: 'Booking', value: `#${booking.number}` }],
          model_text: [{ label: 'Reason', text: input.reason }],
        },
      })
      return {
        data: { status: 'pending_review', request_id: request.id },
        text: `Booking #${booking.number} has begun: cancelling it is pending review by staff (request ${request.id}).`,
      }
    }
    if (!booking.cancelled) {
      await ctx.tx.query('UPDATE bookings SET cancelled = true WHERE id = $1', [booking.id])
      await ctx.record({ action: 'booking_cancelled', target: `booking:${booking.number}` })
    }
    return {
      data: {
        booking: { ...shownBooking(booking), cancelled: true },
        already_cancelled: booking.cancelled,
      },
      text: booking.cancelled
        ? `Booking #${booking.number} was already cancelled.`
        : `Cancelled booking #${booking.number} (${booking.room} on ${booking.day}).`,
    }
  },
  /** The booking as the server would cancel it, found as `run` finds it; the reason apart. */
  async describe(ctx, input) {
    const booking = await findBooking(ctx, input.booking, { lock: false })
    return {
      title: `Cancel booking #${booking.number}: ${booking.room} on ${booking.day}`,
      lines: [
        { label: 'Booking', value: `#${booking.number}` },
        { label: 'Room', value: booking.room },
        { label: 'Day', value: booking.day },
        { label: 'Status now', value: booking.cancelled ? 'cancelled' : 'booked' },
      ],
      model_text: [{ label: 'Reason', text: input.reason }],
    }
  },
})
