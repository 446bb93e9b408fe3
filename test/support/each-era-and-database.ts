import type { ProtocolEra } from '@modelcontextprotocol/client'
import { describe } from 'vitest'
import { ERAS } from './gateway-client.ts'
import { type DatabaseTarget, describeEachDatabase } from './test-databases.ts'

/**
 * Declares the same suite once per protocol era and, within each, once per database: the suite
 * connects with `connect(gateway, identity, era)`, so the session contract, the scopes and the
 * audit are proved for a 2025 client and a 2026-07-28 one alike.
 */
export function describeEachEraAndDatabase(
  title: string,
  body: (target: DatabaseTarget, era: ProtocolEra) => void,
): void {
  describe.each(ERAS)('$era era ($revision)', ({ era }) =>
    describeEachDatabase(title, (target) => body(target, era)),
  )
}
