/**
 * How the reports write their figures, the same on the terminal and in the page. Rounded down, so
 * 100 % means every attempt passed and never 99.6 % rounded up.
 */
const percentFormat = new Intl.NumberFormat('en', {
  style: 'percent',
  maximumFractionDigits: 0,
  roundingMode: 'floor',
})
const fractionFormat = new Intl.NumberFormat('en', {
  maximumFractionDigits: 3,
  roundingMode: 'floor',
})
const compactFormat = new Intl.NumberFormat('en', {
  notation: 'compact',
  maximumFractionDigits: 1,
})
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 })
// Cents for a dollar and more; below it, three significant digits keep a cheap run from reading $0.00.
const dollars = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD' })
const cents = new Intl.NumberFormat('en', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 3,
})

/** `75%`. */
export const percent = (p: number): string => percentFormat.format(p)

/** `0.857`: a pass^k as the threshold is given, a fraction. */
export const fraction = (p: number): string => fractionFormat.format(p)

/** `12.3K`. */
export const tokens = (count: number): string => compactFormat.format(count)

/** `$1.25`, `$0.0123`; `–` when the model's price is unknown. */
export const cost = (usd: number | null): string =>
  usd === null ? '–' : (usd >= 1 ? dollars : cents).format(usd)

/** `3.5`. */
export const decimal = (value: number): string => oneDecimal.format(value)

/** `850 ms`, `2.4 s`, `35 s`, `3 min 27 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 10) return `${seconds.toFixed(1)} s`
  if (seconds < 60) return `${Math.round(seconds)} s`
  const whole = Math.round(seconds)
  return `${Math.floor(whole / 60)} min ${whole % 60} s`
}

/** `support/late-delivery`: a scenario as its suite and id name it. */
export const scenarioName = (suite: string, id: string): string => `${suite}/${id}`
