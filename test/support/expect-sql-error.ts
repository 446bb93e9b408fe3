import { expect } from 'vitest'
import { sqlState } from '../../src/store/sql-error.ts'

/** Runs `work` and expects it to fail with (one of) the given SQLSTATE(s); returns its message. */
export async function expectSqlState(
  work: () => Promise<unknown>,
  code: string | readonly string[],
): Promise<string> {
  let failure: unknown
  try {
    await work()
  } catch (error) {
    failure = error
  }
  expect(failure, `expected SQLSTATE ${code}, but it succeeded`).toBeDefined()
  const codes = typeof code === 'string' ? [code] : code
  expect(codes, (failure as Error).message).toContain(sqlState(failure))
  return (failure as Error).message
}
