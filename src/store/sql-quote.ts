import { InvalidInputError } from '../lib/errors.ts'

/** A SQL string literal, for statements where parameters cannot go (DDL, a simple query). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new InvalidInputError('NUL in a SQL literal')
  return `'${value.replaceAll("'", "''")}'`
}

/** A quoted SQL identifier (a statement or channel name as written). */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new InvalidInputError('NUL in a SQL identifier')
  return `"${name.replaceAll('"', '""')}"`
}
