import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { domainPacks } from '../../domains/index.ts'
import type { Runtime } from '../../src/app/runtime.ts'
import { parseConfig } from '../../src/config/config.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { packageRoot } from '../../src/lib/package-root.ts'

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
})

/**
 * The runtime of `domain` as `fte eval` loads it from the repository: its Worker's model at
 * `modelUrl`, on the embedded database unless `settings` name a DATABASE_URL (the trials'
 * databases are then made on that server), with `settings` over the defaults. The user's own
 * skill folders are left out: the machine's should not change the figures.
 */
export function evalRuntime(
  domain: string,
  modelUrl: string,
  settings: Readonly<Record<string, string>> = {},
): Runtime {
  const env = {
    FTE_DOMAIN: domain,
    LLM_PROVIDER: 'compatible',
    LLM_BASE_URL: modelUrl,
    LLM_MODEL: 'gpt-4o-mini',
    LLM_MAX_RETRIES: '0',
    SKILLS_USER: 'false',
    ...settings,
  }
  const config = parseConfig(env, { cwd: packageRoot(), domains: Object.keys(domainPacks) })
  const pack = domainPacks[domain]
  if (pack === undefined) throw new Error(`no domain pack ${domain}`)
  return { config, logger: silent, pack, host: { cwd: packageRoot(), env } }
}

/** The scenario files each of `domains` ships (its evals folder), by domain; none when it has none. */
export async function shippedScenarioFiles(
  domains: readonly string[],
): Promise<Array<{ domain: string; files: string[] }>> {
  const found = []
  for (const domain of domains) {
    const dir = domainPacks[domain]?.evalsDir
    const names = dir === undefined ? [] : await readdir(dir).catch(() => [])
    const files = names
      .filter((n) => /\.(ya?ml|json)$/.test(n))
      .sort()
      .map((n) => join(dir as string, n))
    if (files.length > 0) found.push({ domain, files })
  }
  return found
}
