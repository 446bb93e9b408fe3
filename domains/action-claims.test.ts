import { describe, expect, it } from 'vitest'
import { domainPacks } from './index.ts'

describe('the action claims of every pack', () => {
  it.each(Object.entries(domainPacks))(
    '%s: declared when a tool of it writes, backed by its own tools, each action named once',
    (_, pack) => {
      const tools = new Set(pack.gateway?.tools.map((tool) => tool.name))
      const claims = pack.gateway?.actionClaims ?? []
      const writes = pack.gateway?.tools.some((tool) => !tool.annotations.readOnlyHint) ?? false
      expect(claims.length > 0).toBe(writes)
      const backing = claims.flatMap((claim) => claim.backedBy.map((b) => b.tool))
      expect(backing.filter((tool) => !tools.has(tool))).toEqual([])
      const actions = claims.map((claim) => claim.action)
      expect(new Set(actions).size).toBe(actions.length)
    },
  )
})
