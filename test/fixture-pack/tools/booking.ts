import { z } from 'zod'
import { InvalidInputError, NotFoundError } from '../../../src/lib/errors.ts'
import type { ToolContext } from '../../../src/pack/tool-definition.ts'

export const ROOMS = ['Aurora', 'Birch', 'Cedar'] as const

export const BOOKING_REF = z
  .union([z.number().int().min(1).max(1_000_000), z.string().trim().min(1).max(64)])
  .transform(String)
  .describe('The booking number as the person writes it (#2 or 2)')

export interface BookingRow extends Record<string, unknown> {
  id: string
  number: number
  room: string
  day: string
  cancelled: boolean
  email: string | null
}

/** A booking as a tool returns it: everything but its internal id. */
export function shownBooking(booking: BookingRow) {
  return {
    number: booking.number,
    room: booking.room,
    day: booking.day,
    cancelled: booking.cancelled,
    booked_by: booking.email,
  }
}

/**
 * The booking `ref` of the caller, or of the person staff name by email. A customer naming anyone
 * but themselves, and a booking that does not exist, read alike: not found.
 */
export async function findBooking(
  ctx: ToolContext,
  ref: string,
  options: { person?: string | undefined; lock: boolean },
): Promise<BookingRow> {
  if (!/^#?\d{1,7}$/.test(ref)) throw new InvalidInputError(`"${ref}" is not a booking number.`)
  const number = Number(ref.replace('#', ''))
  const person = options.person?.toLowerCase() ?? null
  const { rows } = await ctx.tx.query<BookingRow>(
    `SELECT b.id, b.number, b.room, to_char(b.day, 'YYYY-MM-DD') AS day, b.cancelled, u.email
     FROM bookings b JOIN users u ON u.id = b.user_id
     WHERE b.number = $1 AND ($2 OR b.user_id = $3) AND ($4::text IS NULL OR lower(u.email) = $4)
     ${options.lock ? 'FOR UPDATE OF b' : ''}`,
    // Staff who name a person see theirs; anyone else sees their own. On a staff decision, the
    // booking is the requester's.
    ctx.onBehalfOf === undefined
      ? [number, ctx.identity.role === 'staff' && person !== null, ctx.identity.sub, person]
      : [number, false, ctx.onBehalfOf.sub, null],
  )
  const booking = rows[0]
  if (booking === undefined) throw new NotFoundError(`No booking #${number} was found for you.`)
  return booking
}
