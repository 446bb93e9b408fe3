/** C(n, k): the ways to choose k of n; exact for the sizes an evaluation has (n up to ~60). */
export function choose(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0 || k < 0) {
    throw new RangeError(`choose(${n}, ${k}): n and k must be whole numbers, at least 0`)
  }
  if (k > n) return 0
  let result = 1
  const j = Math.min(k, n - k)
  for (let i = 1; i <= j; i++) result = (result * (n - j + i)) / i
  return Math.round(result)
}

/**
 * pass^k (τ-bench): the chance that k attempts drawn from n trials, of which s passed, all pass:
 * C(s, k) / C(n, k). pass^1 is the pass rate; pass^n is 1 only when every trial passed.
 */
export function passHatK(successes: number, trials: number, k: number): number {
  if (successes > trials) throw new RangeError(`${successes} successes of ${trials} trials`)
  if (k < 1 || k > trials) throw new RangeError(`k must be 1 to ${trials}, not ${k}`)
  return choose(successes, k) / choose(trials, k)
}

/** pass^k for k = 1 … n. */
export function passHatKs(successes: number, trials: number): number[] {
  return Array.from({ length: trials }, (_, i) => passHatK(successes, trials, i + 1))
}
