/** Turns texts into vectors. Every vector has `dimensions` numbers and belongs to `model`. */
export interface Embedder {
  /** Recorded on every embedding row; vectors of different models are never compared. */
  readonly model: string
  readonly dimensions: number
  /** Names these very vectors were stored under before; a corpus held under one is renamed. */
  readonly earlierModelNames?: readonly string[]
  /** One vector per text, in order. */
  embed(texts: readonly string[]): Promise<number[][]>
}

/** pgvector's text form: `[0.1,0.2,...]`. */
export function toVectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`
}
