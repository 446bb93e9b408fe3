/** One line of a trial's conversation, as the report keeps it. */
export interface TranscriptLine {
  role: 'user' | 'worker' | 'approval' | 'staff' | 'tool'
  text: string
}

/** How one trial went, and its grade. */
export interface TrialResult {
  scenario: string
  suite: string
  /** 1 … n. */
  trial: number
  passed: boolean
  /** What failed, one line each (empty when passed). */
  failures: string[]
  /** Why the conversation ended: the simulator was done, the turn limit, an error. */
  ended: 'done' | 'max_turns' | 'error' | 'interrupted'
  /** User turns taken. */
  turns: number
  inputTokens: number
  outputTokens: number
  /** USD, when the model's price is known. */
  costUsd: number | null
  /** The Worker's time answering, summed over the turns (ms). */
  latencyMs: number
  /** Clone and setup of the trial's database (ms). */
  setupMs: number
  /** Tokens the simulated customer spent (an LLM simulator's; 0 for the scripted one). */
  simulatorTokens: number
  transcript: TranscriptLine[]
}

/** A scenario over all its trials that finished (one cut short by an interrupt is not counted). */
export interface ScenarioSummary {
  scenario: string
  title: string
  suite: string
  trials: number
  successes: number
  /** pass^k for k = 1 … trials. */
  passK: number[]
  meanTurns: number
  inputTokens: number
  outputTokens: number
  /** What the simulated customer spent, beside the Worker's tokens (an LLM simulator's). */
  simulatorTokens: number
  costUsd: number | null
  /** Mean of the trials' Worker latency (ms). */
  meanLatencyMs: number
}

export interface EvalReport {
  /** `model`: conversations with the Worker; `reference`: the scenarios' own actions, no model. */
  mode: 'model' | 'reference'
  startedAt: string
  finishedAt: string
  /** The Worker's model (`provider/model`), or null in reference mode. */
  model: string | null
  /** `scripted`, or `llm:<model>`; null in reference mode. */
  simulator: string | null
  database: 'embedded' | 'postgres'
  trialsPerScenario: number
  concurrency: number
  /** Cut short (Ctrl-C): what finished is reported, the rest is not. */
  interrupted: boolean
  /** The trials the run set out to do: scenarios × trialsPerScenario. */
  plannedTrials: number
  /** The trials that finished: those the summaries count (all of them unless interrupted). */
  finishedTrials: number
  scenarios: ScenarioSummary[]
  /**
   * pass^k averaged over the scenarios, for k = 1 … the most trials any scenario finished. When
   * the counts differ (an interrupted run), pass^k averages only the scenarios with at least k
   * trials: a scenario with fewer says nothing about k.
   */
  passK: number[]
  trials: TrialResult[]
  /** The threshold given on the command line, and whether it was met. */
  threshold: { k: number; min: number; met: boolean } | null
}
