/** The simulated customer a trial's Worker talks to. */
export interface UserSimulator {
  /** The opening message. */
  open(signal?: AbortSignal): Promise<string>
  /** The user's answer to the Worker's reply; done when their goal is met or refused. */
  next(workerReply: string, signal?: AbortSignal): Promise<{ message: string } | { done: true }>
  /** Whether they consent to what the Worker asks to do (the approval summary's text). */
  consent(request: string, signal?: AbortSignal): Promise<boolean>
  /** Tokens the simulator itself spent (0 for the scripted one). */
  readonly usage: { inputTokens: number; outputTokens: number }
}
