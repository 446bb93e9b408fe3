import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { supportPack } from '../domains/support/index.ts'
import { writeAudit } from '../src/audit/audit-writer.ts'
import { countTokens } from '../src/embedding/tokenizer.ts'
import { migrationSources } from '../src/pack/domain-pack.ts'
import { discoverSkills } from '../src/skills/discover-skills.ts'
import { catalogCost } from '../src/skills/skill-catalog.ts'
import { SkillRuntime } from '../src/skills/skill-runtime.ts'
import { loadMigrations } from '../src/store/migration-files.ts'
import { migrate } from '../src/store/migrator.ts'
import { openPglite } from '../src/store/pglite-database.ts'
import { median } from './lib/measure.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const SKILLS = 50
const ROUNDS = 15
const ACTIVATIONS = 200
/** Concept 2's shape: a body of ~1,500 tokens and two references of ~2,000 each per skill. */
const BODY_WORDS = 1100
const REFERENCE_WORDS = 1500

const VERBS = ['Extracts', 'Reconciles', 'Drafts', 'Checks', 'Summarizes', 'Classifies', 'Routes']
const THINGS = [
  'invoices',
  'refund requests',
  'shipping delays',
  'contract renewals',
  'login failures',
]
const WORDS =
  'order customer ticket refund policy review team queue status report escalate verify record ' +
  'account payment delivery warehouse return label carrier invoice credit priority handoff note'

/** A deterministic skill library shaped like a real one: descriptions that say what and when. */
async function generate(root: string): Promise<void> {
  const words = WORDS.split(' ')
  const text = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) => words[(i * 7 + seed) % words.length]).join(' ')
  for (let i = 0; i < SKILLS; i++) {
    const name = `skill-${String(i).padStart(2, '0')}`
    const thing = THINGS[i % THINGS.length]
    const description =
      `${VERBS[i % VERBS.length]} ${thing} into a structured note with the facts, the next step ` +
      `and the owner. Use when the user mentions ${thing}, asks "what happened with my ${thing}", ` +
      `or pastes one to review. Produces a short summary ready for handoff.`
    const dir = join(root, name)
    await mkdir(join(dir, 'references'), { recursive: true })
    const body = `# ${name}\n\n1. Read references/guide.md.\n2. ${text(BODY_WORDS, i)}\n`
    await writeFile(
      join(dir, 'SKILL.md'),
      `---\nname: ${name}\ndescription: ${description}\n---\n${body}`,
    )
    await writeFile(
      join(dir, 'references', 'guide.md'),
      `# Guide\n${text(REFERENCE_WORDS, i + 1)}\n`,
    )
    await writeFile(
      join(dir, 'references', 'edge-cases.md'),
      `# Edge cases\n${text(REFERENCE_WORDS, i + 2)}\n`,
    )
  }
}

/**
 * Agent Skills at library scale: 50 generated skills. Discovery time against reading the same
 * files raw; catalog tokens per skill against the specification's budget; activation latency
 * against the audit insert it must make; and the context cost of a turn that activates one skill
 * and reads one reference, against loading every body and reference up front (progressive
 * disclosure).
 */
export async function benchSkills(report: (line: string) => void): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-skills-'))
  const db = await openPglite()
  try {
    const root = join(dir, 'skills')
    await generate(root)
    const roots = [{ dir: root, level: 'project' as const }]

    const discovery: number[] = []
    const raw: number[] = []
    let library = await discoverSkills(roots)
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now()
      library = await discoverSkills(roots)
      discovery.push(performance.now() - started)
      started = performance.now()
      await Promise.all(library.skills.map((skill) => readFile(skill.file, 'utf8')))
      raw.push(performance.now() - started)
    }
    if (library.skills.length !== SKILLS || library.warnings.length > 0) {
      throw new Error(`generated ${SKILLS} skills, discovered ${library.skills.length}`)
    }
    report(`  discovery of ${SKILLS} skills: ${median(discovery).toFixed(2)} ms`)
    out.results.push(
      compare(
        `skill discovery, ${SKILLS} skills (scan, parse, validate)`,
        'ms',
        median(discovery),
        `reading the same ${SKILLS} SKILL.md files, nothing else`,
        median(raw),
        `median of ${ROUNDS} rounds; validation includes the MCP SDK's rule checks`,
      ),
    )

    const cost = catalogCost(library.skills)
    const perSkill = cost.perSkill.reduce((sum, s) => sum + s.tokens, 0) / SKILLS
    out.results.push(
      compare(
        'catalog tokens per skill (name + description, cl100k_base)',
        'tokens',
        perSkill,
        "the specification's budget per skill",
        100,
        `whole catalog ${cost.total} tokens for ${SKILLS} skills, ${cost.preamble} of them the one-off instructions`,
      ),
    )

    const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
    if (migrated.error) throw migrated.error
    const runtime = new SkillRuntime({
      library,
      db,
      actor: 'bench',
      maxResourceBytes: 256 * 1024,
      workspaceRoot: join(dir, 'workspaces'),
      sandbox: undefined,
    })
    const conversations = Array.from(
      { length: ACTIVATIONS },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    )
    const activation: number[] = []
    const insert: number[] = []
    for (const [i, conversation] of conversations.entries()) {
      const name = library.skills[i % SKILLS]?.name ?? ''
      let started = performance.now()
      await runtime.activate(conversation, name)
      activation.push(performance.now() - started)
      started = performance.now()
      await writeAudit(db, { action: 'skill_activated', actor: 'bench-anchor', target: name })
      insert.push(performance.now() - started)
    }
    report(`  activation: p50 ${median(activation).toFixed(3)} ms`)
    out.results.push(
      compare(
        'skill activation (body + file list + once-per-conversation check + audit row)',
        'ms',
        median(activation),
        'the skill_activated audit insert alone',
        median(insert),
        `p50 of ${ACTIVATIONS} first activations, embedded PGlite`,
      ),
    )

    const first = library.skills[0]
    if (first === undefined) throw new Error('no skills')
    const body = (await runtime.activate('ffffffff-ffff-4fff-8fff-ffffffffffff', first.name)).tokens
    const reference = countTokens(
      await readFile(join(first.realDir, 'references', 'guide.md'), 'utf8'),
    )
    const turn = cost.total + body + reference
    let everything = cost.total
    for (const skill of library.skills) {
      everything += countTokens(await readFile(skill.file, 'utf8'))
      for (const file of ['guide.md', 'edge-cases.md']) {
        everything += countTokens(await readFile(join(skill.realDir, 'references', file), 'utf8'))
      }
    }
    report(`  a turn: ${turn} tokens; everything up front: ${everything}`)
    out.results.push(
      compare(
        'context of a turn: catalog + one activation + one reference',
        'tokens',
        turn,
        `every body and reference of the ${SKILLS} skills loaded up front`,
        everything,
        `catalog ${cost.total} + body ${body} + reference ${reference}`,
      ),
    )
  } finally {
    await db.close()
    await rm(dir, { recursive: true, force: true })
  }
  return out
}
