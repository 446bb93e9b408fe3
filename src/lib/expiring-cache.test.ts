import { describe, expect, it } from 'vitest'
import { ExpiringCache } from './expiring-cache.ts'

describe('ExpiringCache', () => {
  it('forgets an entry when it expires, and the oldest when full', () => {
    const cache = new ExpiringCache<string>(2)
    cache.set('a', 'A', 1000)
    expect(cache.get('a', 999)).toBe('A')
    expect(cache.get('a', 1000)).toBeUndefined()
    cache.set('b', 'B', 5000)
    cache.set('c', 'C', 5000)
    cache.set('d', 'D', 5000)
    expect([cache.get('b', 0), cache.get('c', 0), cache.get('d', 0)]).toEqual([undefined, 'C', 'D'])
  })
})
