import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage, InvalidInputError } from '../lib/errors.ts'
import type { DomainPack } from '../pack/domain-pack.ts'
import type { LoadedScenario } from './scenario.ts'
import { loadScenarioFile } from './scenario-file.ts'

// Which scenarios a run takes: the files given or a pack's shipped suite, then those chosen by id
// or tag.

/** The pack's shipped suite: every scenario file of its evals folder. */
export async function shippedSuite(pack: DomainPack): Promise<string[]> {
  const dir = pack.evalsDir
  const names = dir === undefined ? [] : await readdir(dir).catch(() => [])
  const files = names.filter((n) => /\.(ya?ml|json)$/.test(n)).sort()
  if (dir === undefined || files.length === 0) {
    throw new InvalidInputError(
      `The ${pack.name} domain ships no evaluation scenarios: name scenario files (fte eval <file…>).`,
    )
  }
  return files.map((n) => join(dir, n))
}

/** Every file's scenarios; every file's problems at once when any has some. */
export async function loadScenarios(files: readonly string[]): Promise<LoadedScenario[]> {
  const loaded = await Promise.allSettled(files.map((file) => loadScenarioFile(file)))
  const problems = loaded.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []))
  if (problems.length > 0) throw new InvalidInputError(problems.join('\n'))
  const scenarios = loaded.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
  const seen = new Map<string, string>()
  for (const s of scenarios) {
    const key = `${s.suite}/${s.id}`
    const earlier = seen.get(key)
    if (earlier !== undefined && earlier !== s.file) {
      problems.push(`${s.file}: scenario ${key} is in ${earlier} too: an id names one scenario`)
    }
    seen.set(key, s.file)
  }
  if (problems.length > 0) throw new InvalidInputError(problems.join('\n'))
  return scenarios
}

export function choose(
  scenarios: LoadedScenario[],
  ids: string[] | undefined,
  where: string,
): LoadedScenario[] {
  if (ids === undefined || ids.length === 0) return scenarios
  const unknown = ids.filter((id) => !scenarios.some((s) => s.id === id))
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `No scenario ${unknown.join(', ')} in ${where} (${scenarios.map((s) => s.id).join(', ')}).`,
    )
  }
  return scenarios.filter((s) => ids.includes(s.id))
}

export function withTags(
  scenarios: LoadedScenario[],
  tags: string[] | undefined,
): LoadedScenario[] {
  if (tags === undefined || tags.length === 0) return scenarios
  const chosen = scenarios.filter((s) => s.tags.some((t) => tags.includes(t)))
  if (chosen.length === 0) {
    const known = [...new Set(scenarios.flatMap((s) => s.tags))].sort()
    throw new InvalidInputError(
      `No scenario is tagged ${tags.join(' or ')} (tags: ${known.join(', ') || 'none'}).`,
    )
  }
  return chosen
}
