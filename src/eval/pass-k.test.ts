import { describe, expect, it } from 'vitest'
import { choose, passHatK, passHatKs } from './pass-k.ts'

describe('pass^k', () => {
  it('is C(s,k)/C(n,k): 3 of 4 trials give 3/4, 1/2, 1/4 and 0', () => {
    expect(passHatK(3, 4, 1)).toBe(0.75)
    expect(passHatK(3, 4, 2)).toBe(3 / 6)
    expect(passHatK(3, 4, 3)).toBe(1 / 4)
    expect(passHatK(3, 4, 4)).toBe(0)
    expect(passHatKs(3, 4)).toEqual([0.75, 0.5, 0.25, 0])
  })

  it('gives 6 of 8 trials a pass^3 of C(6,3)/C(8,3) = 20/56', () => {
    expect(choose(6, 3)).toBe(20)
    expect(choose(8, 3)).toBe(56)
    expect(passHatK(6, 8, 3)).toBeCloseTo(20 / 56, 15)
  })

  it('is 1 for every k when every trial passed, and 0 when none did', () => {
    expect(passHatKs(5, 5)).toEqual([1, 1, 1, 1, 1])
    expect(passHatKs(0, 5)).toEqual([0, 0, 0, 0, 0])
  })

  it('falls as k grows when some trial failed, to 0 once k passes the successes', () => {
    const values = passHatKs(7, 10)
    for (let k = 2; k <= 7; k++) expect(values[k - 1]).toBeLessThan(values[k - 2] ?? 0)
    expect(values.slice(7)).toEqual([0, 0, 0])
  })

  it('holds at the largest sizes an evaluation has: 59 of 60 give a pass^30 of 30/60', () => {
    expect(passHatK(59, 60, 30)).toBeCloseTo(0.5, 12)
  })

  it('refuses a k outside 1 … n, a fractional k, and more successes than trials', () => {
    expect(() => passHatK(3, 4, 0)).toThrow(/k must be 1 to 4, not 0/)
    expect(() => passHatK(3, 4, 5)).toThrow(/k must be 1 to 4, not 5/)
    expect(() => passHatK(3, 4, 1.5)).toThrow(RangeError)
    expect(() => passHatK(5, 4, 1)).toThrow(/5 successes of 4 trials/)
    expect(() => choose(-1, 0)).toThrow(RangeError)
  })
})
