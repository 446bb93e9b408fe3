/** The SQLSTATE of a database error from either driver, e.g. `23505`; undefined for other errors. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  insufficientPrivilege: '42501',
  raiseException: 'P0001',
  queryCanceled: '57014',
  undefinedFile: '58P01',
  featureNotSupported: '0A000',
} as const
