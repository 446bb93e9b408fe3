import { stemmer } from 'stemmer'
import { LOCAL_EMBEDDING_MODEL } from '../config/sections/embedding.ts'
import { ConfigError } from '../lib/errors.ts'
import type { Embedder } from './embedder.ts'
import { checkLexicon, type Lexicon } from './lexicon.ts'

/**
 * The offline default embedder: no network, no weights, deterministic and fast.
 *
 * What it captures is LEXICAL similarity, not meaning: texts that share words (after lower-casing,
 * stop-word removal and Porter stemming), the pack's synonym table when it has one (its `lexicon`),
 * word pairs, and character trigrams (so "delivered", "delivering" and a misspelt "delivred" still
 * overlap). Features are hashed into `dimensions` buckets with a sign (feature hashing) and the
 * vector is L2-normalised, so cosine similarity is a weighted overlap of features. A paraphrase
 * with no words, stems or listed synonyms in common scores low; use an
 * OpenAI-compatible model (EMBEDDING_PROVIDER=openai) for semantic similarity.
 */
export function createLocalEmbedder(dimensions = 1024, lexicon?: Lexicon): Embedder {
  if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 4000) {
    throw new ConfigError('the local embedder needs 16 to 4000 dimensions')
  }
  const terms = termsOf(lexicon === undefined ? undefined : checkLexicon(lexicon))
  return {
    model: localModelName(lexicon),
    dimensions,
    earlierModelNames: lexicon?.earlierModelNames ?? [],
    embed: async (texts) => texts.map((text) => embedTerms(terms(text), dimensions)),
  }
}

/** `fte-local-lexical-v2`, or with a pack's synonyms `fte-local-lexical-v2+support-v1`. */
export function localModelName(lexicon?: Lexicon): string {
  return lexicon === undefined ? LOCAL_EMBEDDING_MODEL : `${LOCAL_EMBEDDING_MODEL}+${lexicon.name}`
}

/** Whether vectors of `model` came from a local embedder (any version, any lexicon). */
export function isLocalModel(model: string): boolean {
  return model.startsWith('fte-local-lexical-')
}

const WEIGHTS = { word: 1, pair: 0.3, trigram: 0.25 }

function embedTerms(terms: readonly string[], dimensions: number): number[] {
  const vector = new Float64Array(dimensions)
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature)
    const sign = (h & 0x80000000) === 0 ? 1 : -1
    vector[(h >>> 0) % dimensions] = (vector[(h >>> 0) % dimensions] ?? 0) + sign * weight
  }
  const counts = new Map<string, number>()
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1)
  for (const [term, count] of counts) {
    const tf = 1 + Math.log(count)
    add(`w:${term}`, WEIGHTS.word * tf)
    const padded = `^${term}$`
    const grams = padded.length - 2
    for (let i = 0; i < grams; i++)
      add(`c:${padded.slice(i, i + 3)}`, (WEIGHTS.trigram * tf) / Math.sqrt(grams))
  }
  for (let i = 0; i + 1 < terms.length; i++) add(`p:${terms[i]} ${terms[i + 1]}`, WEIGHTS.pair)

  let norm = 0
  for (const value of vector) norm += value * value
  norm = Math.sqrt(norm)
  return Array.from(vector, (value) => (norm === 0 ? 0 : value / norm))
}

/**
 * A text's terms: lower-case words, stemmed, the lexicon's synonyms folded (phrases first, longest
 * first), stop words dropped.
 */
export function termsOf(lexicon?: Lexicon): (text: string) => string[] {
  const { synonyms, phrases } = foldingOf(lexicon)
  return (text) => {
    const words = text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[’‘]/g, "'")
      .replace(/[^a-z0-9']+/g, ' ')
      .split(' ')
      .map((word) => word.replace(/^'+|'+$/g, '').replace(/'s$/, ''))
      .filter((word) => word !== '')
    const stems = words.map((word) => stemmer(word))
    const terms: string[] = []
    for (let i = 0; i < words.length; ) {
      const phrase = phrases.find((p) => p.stems.every((stem, k) => stems[i + k] === stem))
      if (phrase !== undefined) {
        terms.push(...phrase.canonical)
        i += phrase.stems.length
        continue
      }
      const stem = stems[i] as string
      if (!STOP_WORDS.has(words[i] as string)) terms.push(...(synonyms.get(stem) ?? [stem]))
      i++
    }
    return terms
  }
}

const stemWords = (text: string) => text.split(' ').map((word) => stemmer(word))

/** Single-word members by stem, and multi-word members as stem sequences, longest first. */
function foldingOf(lexicon?: Lexicon) {
  const synonyms = new Map<string, string[]>()
  const phrases: { stems: string[]; canonical: string[] }[] = []
  for (const group of lexicon?.groups ?? []) {
    const canonical = stemWords(group[0] as string)
    for (const member of group) {
      const stems = stemWords(member)
      if (stems.length === 1) synonyms.set(stems[0] as string, canonical)
      else phrases.push({ stems, canonical })
    }
  }
  phrases.sort((a, b) => b.stems.length - a.stems.length)
  return { synonyms, phrases }
}

/** FNV-1a, 32-bit: a stable hash, the same on every machine and run. */
function fnv1a(value: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being
  below between both but by can could did do does doing down during each few for from further
  had has have having he her here hers herself him himself his how i i'm i've i'd i'll if in
  into is it it's its itself just let's me more most my myself no nor not of off on once only or
  other our ours ourselves out over own same she should so some such than that that's the their
  theirs them themselves then there these they this those through to too under until up very was
  we were what when where which while who whom why will with would you your yours yourself
  yourselves hi hello hey thanks thank please can't cannot don't doesn't didn't haven't hasn't
  isn't wasn't aren't won't wouldn't couldn't shouldn't im ive also still get got one yet us
  would've could've there's what's here's let lets ok okay want need`.split(/\s+/),
)
