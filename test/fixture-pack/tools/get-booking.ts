import { z } from 'zod'
import { defineTool, READ_ONLY, SESSION_ARGUMENT } from '../../../src/pack/tool-definition.ts'
import { BOOKING_REF, findBooking, shownBooking } from './booking.ts'

export const getBookingTool = defineTool({
  name: 'domain_get_booking',
  title: 'Look up a booking',
  description:
    'Returns one of the person’s room bookings by its number (#2 or 2): the room, the day, ' +
    'whether it is cancelled and who booked it. Staff name the person by email.',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    booking: BOOKING_REF,
    person: z.email().max(254).optional().describe('Staff only: whose booking'),
  }),
  annotations: READ_ONLY,
  isolation: 'statement',
  activity: 'Looking up booking {#booking}…',
  topic: 'Booking {#booking}',
  async run(ctx, input) {
    const booking = await findBooking(ctx, input.booking, { person: input.person, lock: false })
    const state = booking.cancelled ? 'cancelled' : 'booked'
    return {
      data: { booking: shownBooking(booking) },
      text: `Booking #${booking.number}: ${booking.room} on ${booking.day}, ${state} by ${booking.email}.`,
    }
  },
})
