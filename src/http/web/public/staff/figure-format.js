// @ts-check
// A metric's value as people read it, by its unit: 1,204 · 37.5 % · $312.00 · 1.4 s · 12.3k tokens.

/**
 * @param {number | null} value
 * @param {import('./staff-api.js').Figure['unit']} unit
 */
export function formatFigure(value, unit) {
  if (value === null) return '—'
  switch (unit) {
    case 'percent':
      return `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} %`
    case 'usd':
      // A model's cost per conversation is often a fraction of a cent: shown, not as $0.00.
      return value.toLocaleString(undefined, {
        style: 'currency',
        currency: 'USD',
        ...(value !== 0 && Math.abs(value) < 0.01 ? { maximumSignificantDigits: 2 } : {}),
      })
    case 'ms':
      return duration(value)
    case 'tokens':
      return `${value.toLocaleString(undefined, { notation: 'compact', maximumFractionDigits: 1 })} tokens`
    default:
      return value.toLocaleString(undefined, { maximumFractionDigits: 1 })
  }
}

/** @param {number} ms */
function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })} s`
  if (ms < 3_600_000)
    return `${(ms / 60_000).toLocaleString(undefined, { maximumFractionDigits: 1 })} min`
  return `${(ms / 3_600_000).toLocaleString(undefined, { maximumFractionDigits: 1 })} h`
}
