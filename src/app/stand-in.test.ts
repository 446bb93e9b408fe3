import { describe, expect, it } from 'vitest'
import { parseConfig } from '../config/config.ts'
import { createLogger } from '../lib/logger.ts'
import type { DomainPack } from '../pack/domain-pack.ts'
import type { Runtime } from './runtime.ts'
import { standIn } from './stand-in.ts'

const pack: DomainPack = {
  name: 'garden',
  description: 'a garden',
  migrations: { name: 'garden', dir: '/nonexistent' },
  scopes: { prune: 'cut things back' },
  demoPeople: { customer: 'demo|gardener', staff: 'demo|head-gardener' },
}

const runtime = (env: Record<string, string>, p: DomainPack = pack): Runtime => ({
  config: parseConfig(env, { cwd: '/nonexistent' }),
  logger: createLogger({ level: 'silent' }),
  pack: p,
  host: { cwd: '/nonexistent', env },
})

describe('the stand-in user of AUTH_DISABLED', () => {
  it('is nobody while sign-in is on', () => {
    expect(standIn(runtime({}))).toBeUndefined()
  })

  it("is the pack's demo person of the role, with every scope of that role", () => {
    expect(standIn(runtime({ AUTH_DISABLED: '1' }))).toEqual({
      sub: 'demo|gardener',
      role: 'customer',
      scopes: ['read', 'write', 'prune'],
    })
    expect(standIn(runtime({ AUTH_DISABLED: '1', AUTH_DISABLED_ROLE: 'staff' }))).toEqual({
      sub: 'demo|head-gardener',
      role: 'staff',
      scopes: ['read', 'write', 'prune', 'staff'],
    })
  })

  it('is AUTH_DISABLED_SUB when given, and someone local for a pack with no demo people', () => {
    expect(standIn(runtime({ AUTH_DISABLED: '1', AUTH_DISABLED_SUB: 'me|1' }))?.sub).toBe('me|1')
    const { demoPeople: _, ...plain } = pack
    expect(standIn(runtime({ AUTH_DISABLED: '1' }, plain))?.sub).toBe('local|demo')
  })
})
