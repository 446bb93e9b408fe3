/** The fixture's own scope, beyond the core's: cancelling frees a room for anyone to take. */
export const FIXTURE_SCOPES = { cancel: 'cancel a booking, which frees the room for anyone' }
