const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A UUID as Postgres prints it: lowercase and hyphenated. Ids the system hands out look so. */
export function isUuid(text: string): boolean {
  return CANONICAL.test(text)
}

/** A UUID in either case, as a person may paste one; Postgres reads both the same. */
export function isUuidAnyCase(text: string): boolean {
  return CANONICAL.test(text.toLowerCase())
}
