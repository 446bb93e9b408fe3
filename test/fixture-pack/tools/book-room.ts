import { z } from 'zod'
import '../audit-actions.ts'
import { defineTool, SESSION_ARGUMENT, writes } from '../../../src/pack/tool-definition.ts'
import { ROOMS } from './booking.ts'

export const bookRoomTool = defineTool({
  name: 'domain_book_room',
  title: 'Book a room',
  description: 'Books a room for the person on a day ("book", "reserve", "I need a room").',
  input: z.strictObject({
    session: SESSION_ARGUMENT,
    room: z.enum(ROOMS).describe('Which room'),
    day: z.iso.date().describe('The day, as YYYY-MM-DD'),
  }),
  annotations: writes({ destructive: false, idempotent: false }),
  async run(ctx, input) {
    // The person's row is locked while their next number is drawn: two bookings never collide.
    await ctx.tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [ctx.identity.sub])
    const { rows } = await ctx.tx.query<{ number: number }>(
      `INSERT INTO bookings (user_id, number, room, day)
       SELECT $1, coalesce(max(number), 0) + 1, $2, $3 FROM bookings WHERE user_id = $1
       RETURNING number`,
      [ctx.identity.sub, input.room, input.day],
    )
    const number = rows[0]?.number ?? 0
    await ctx.record({
      action: 'room_booked',
      target: `booking:${number}`,
      payload: { room: input.room },
    })
    return {
      data: { booking: { number, room: input.room, day: input.day } },
      text: `Booked ${input.room} on ${input.day} (booking #${number}).`,
    }
  },
})
