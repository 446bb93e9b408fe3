import { countTokens } from '../embedding/tokenizer.ts'
import type { Skill } from './discover-skills.ts'

/** Said once above the entries: how to use them. */
export const CATALOG_PREAMBLE =
  'Skills hold the instructions for tasks, loaded on demand. When a request matches a ' +
  "skill's description, call activate_skill with its name before acting and follow the steps " +
  'it returns; read the files it names with read_skill_resource.\nAvailable skills:'

/** One skill as the model sees it before activation: its name and description, nothing else. */
export function catalogEntry(skill: Pick<Skill, 'name' | 'description'>): string {
  return `- ${skill.name}: ${skill.description.replace(/\s+/g, ' ')}`
}

/** The catalog for the agent's instructions; empty when there are no skills. */
export function catalogText(skills: readonly Pick<Skill, 'name' | 'description'>[]): string {
  if (skills.length === 0) return ''
  return [CATALOG_PREAMBLE, ...skills.map(catalogEntry)].join('\n')
}

export interface CatalogCost {
  /** Tokens of the whole catalog text (cl100k_base). */
  total: number
  preamble: number
  perSkill: Array<{ name: string; tokens: number }>
}

/** What the catalog costs in context on every turn, measured with the tokenizer. */
export function catalogCost(skills: readonly Pick<Skill, 'name' | 'description'>[]): CatalogCost {
  return {
    total: countTokens(catalogText(skills)),
    preamble: skills.length === 0 ? 0 : countTokens(CATALOG_PREAMBLE),
    perSkill: skills.map((skill) => ({
      name: skill.name,
      tokens: countTokens(catalogEntry(skill)),
    })),
  }
}
