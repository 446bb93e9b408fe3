/** What the customer says next: a message, or that the conversation is over for them. */
export type SimulatorTurn = { message: string } | { done: true }

/**
 * The customer side of a trial. One simulator plays one trial: it keeps the conversation it has
 * had so far, so the trial loop hands it only what is new.
 */
export interface UserSimulator {
  /** The opening message. */
  open(signal?: AbortSignal): Promise<string>
  /** The user's answer to the Worker's reply; done when their goal is met or refused. */
  next(workerReply: string, signal?: AbortSignal): Promise<SimulatorTurn>
  /** Whether they consent to what the Worker asks to do (the approval summary's text). */
  consent(request: string, signal?: AbortSignal): Promise<boolean>
  /** Tokens the simulator itself spent (0 for the scripted one). */
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number }
}
