import type { z } from 'zod'
import { ConfigError } from '../lib/errors.ts'
import { apiSection } from './sections/api.ts'
import { authSection } from './sections/auth.ts'
import { databaseSection } from './sections/database.ts'
import { demoDataSection, domainSection } from './sections/domain.ts'
import { embeddingSection } from './sections/embedding.ts'
import { evalSection } from './sections/eval.ts'
import { gatewaySection } from './sections/gateway.ts'
import { jobsSection } from './sections/jobs.ts'
import { llmSection } from './sections/llm.ts'
import { logSection } from './sections/log.ts'
import { retentionSection } from './sections/retention.ts'
import { serverSection } from './sections/server.ts'
import { skillsSection } from './sections/skills.ts'
import { workerSection } from './sections/worker.ts'

export interface ParseOptions {
  /** Relative paths resolve against it. */
  cwd: string
  /** The domain packs this build ships; FTE_DOMAIN must name one. */
  domains?: readonly string[]
  /** Variables whose value came from `.env`, so a problem can say where to look. */
  fromFile?: ReadonlySet<string>
}

/**
 * The configuration, section by section: each parses the environment variables it reads and
 * turns them into its value, `Config[name]`.
 */
export function configSections(options: ParseOptions) {
  return {
    database: databaseSection(options.cwd),
    server: serverSection,
    log: logSection,
    domain: domainSection(options.domains),
    demoData: demoDataSection,
    embedding: embeddingSection,
    gateway: gatewaySection,
    auth: authSection,
    skills: skillsSection(options.cwd),
    llm: llmSection,
    worker: workerSection,
    api: apiSection,
    retention: retentionSection,
    jobs: jobsSection(options.cwd),
    eval: evalSection,
  }
}

type Sections = ReturnType<typeof configSections>

export type Config = { [Name in keyof Sections]: z.output<Sections[Name]> }

/** Every environment variable the configuration reads (the names do not depend on the options). */
export function configVariables(): string[] {
  const sections = Object.values(configSections({ cwd: '.' }))
  return [...new Set(sections.flatMap((section) => Object.keys(section.in.shape)))]
}

/**
 * Parses the environment once, at an entry point. Throws a ConfigError that names every problem by
 * variable; values are never echoed.
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: ParseOptions,
): Config {
  const sections = Object.entries(configSections(options))
  // A section is a pipe: its variables, each on its own (`in`), then its transform (`out`), which
  // may check them against each other. Transforms run only once every variable of every section
  // is valid, so a combination is never judged on a bad value.
  const inputs = sections.map(([, section]) => section.in.safeParse(env))
  const problems = inputs.flatMap(problemsOf)
  const values =
    problems.length > 0
      ? []
      : sections.map(([, section], i) => section.out.safeParse(inputs[i]?.data))
  problems.push(...values.flatMap(problemsOf))
  if (problems.length > 0) {
    throw ConfigError.listing(
      problems
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(
          (p) => `${p.name}${options.fromFile?.has(p.name) ? ' (from .env)' : ''}: ${p.message}`,
        ),
    )
  }
  // Every section parsed: each value sits under its section's name.
  return Object.fromEntries(sections.map(([name], i) => [name, values[i]?.data])) as Config
}

type Problem = { name: string; message: string }

function problemsOf(result: z.ZodSafeParseResult<unknown>): Problem[] {
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ name: String(issue.path[0]), message: issue.message }))
}
