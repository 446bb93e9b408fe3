/** One benchmark row: a figure and the anchor it is compared with, measured in the same run. */
export interface BenchResult {
  name: string
  unit: 'µs' | 'ms' | 'ops/s' | 'docs/s' | 'trials/min' | 'tokens'
  value: number
  anchorName: string
  anchorValue: number
  /** value / anchor. For µs, ms and tokens lower is better; for ops/s, docs/s and trials/min higher is better. */
  ratio: number
  notes?: string
}

export function compare(
  name: string,
  unit: BenchResult['unit'],
  value: number,
  anchorName: string,
  anchorValue: number,
  notes?: string,
): BenchResult {
  return {
    name,
    unit,
    value,
    anchorName,
    anchorValue,
    ratio: value / anchorValue,
    ...(notes === undefined ? {} : { notes }),
  }
}

export interface Skipped {
  name: string
  reason: string
}

export interface BenchOutcome {
  results: BenchResult[]
  skipped: Skipped[]
}
