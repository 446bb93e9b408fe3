import { spawnSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Capture } from '../../../test/support/capture.ts'
import { packageRoot } from '../../lib/package-root.ts'
import { runCli } from '../run-cli.ts'

/**
 * A project of its own for the scaffold to write into: the repository's code and packages linked
 * in, its own `domains/index.ts`, so the repository is never touched.
 */
async function project(): Promise<string> {
  const repo = packageRoot()
  const root = await mkdtemp(join(tmpdir(), 'fte-new-domain-'))
  for (const entry of ['src', 'test', 'node_modules', 'migrations']) {
    await symlink(join(repo, entry), join(root, entry))
  }
  for (const file of ['package.json', 'vitest.config.ts', 'biome.json']) {
    await copyFile(join(repo, file), join(root, file))
  }
  await mkdir(join(root, 'domains'))
  for (const pack of ['support', 'tasks', 'reading-room']) {
    await symlink(join(repo, 'domains', pack), join(root, 'domains', pack))
  }
  await copyFile(join(repo, 'domains', 'index.ts'), join(root, 'domains', 'index.ts'))
  return root
}

async function fte(args: string[], cwd: string) {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await runCli(args, { env: { LOG_LEVEL: 'warn' }, cwd, stdout, stderr })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

describe('fte new-domain', () => {
  let root: string
  beforeAll(async () => {
    root = await project()
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('scaffolds a registered pack that passes its own test and the project’s lint', async () => {
    const made = await fte(
      [
        'new-domain',
        'pet-clinic',
        '--root',
        root,
        '--description',
        "Pets, owners and the vet's visits",
      ],
      root,
    )
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
    for (const file of [
      'index.ts',
      'migrations/001_pet_clinic.sql',
      'gateway/tools/list-items.ts',
      'gateway/persona.ts',
      'demo/demo-data.ts',
      'skills/pet-clinic-overview/SKILL.md',
      'pet-clinic.test.ts',
    ]) {
      expect(made.stdout).toContain(`  ${file}\n`)
    }
    expect(made.stdout).toContain('npm test -- domains/pet-clinic')
    const registry = await readFile(join(root, 'domains', 'index.ts'), 'utf8')
    expect(registry).toContain("import { petClinicPack } from './pet-clinic/index.ts'")
    expect(registry).toContain("  'pet-clinic': petClinicPack,\n}")
    expect(await readFile(join(root, 'domains', 'pet-clinic', 'index.ts'), 'utf8')).toContain(
      `description: "Pets, owners and the vet's visits",`,
    )

    // Its own test, run as its author would, on whatever databases this run has.
    const node = process.execPath
    const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
    const tested = spawnSync(node, [vitest, 'run', 'domains/pet-clinic'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, NO_COLOR: '1' },
    })
    const output = `${tested.stdout}\n${tested.stderr}`
    expect(tested.status, output).toBe(0)
    const passed = Number(/Tests\s+(\d+) passed/.exec(output)?.[1] ?? 0)
    // Two tests, in two protocol eras, on one database or two.
    expect(passed, output).toBe(process.env.TEST_DATABASE_URL ? 8 : 4)
    expect(output).not.toMatch(/\d+ failed/)

    const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome')
    const linted = spawnSync(
      node,
      [biome, 'check', '--vcs-enabled=false', 'domains/pet-clinic', 'domains/index.ts'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    expect(linted.status, `${linted.stdout}${linted.stderr}`).toBe(0)

    // And the project's strict type-check, as `npm run typecheck` would run it on the new pack.
    await writeFile(
      join(root, 'tsconfig.json'),
      JSON.stringify({
        extends: join(packageRoot(), 'tsconfig.json'),
        include: ['domains/pet-clinic', 'test/setup/databases.ts'],
      }),
    )
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const typed = spawnSync(node, [tsc, '-p', 'tsconfig.json', '--noEmit'], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(typed.status, `${typed.stdout}${typed.stderr}`).toBe(0)
  }, 300_000)

  it('refuses a name that is taken, reserved or not a pack name, and writes nothing', async () => {
    const before = await readFile(join(root, 'domains', 'index.ts'), 'utf8')
    const reserved = await fte(['new-domain', 'core', '--root', root], root)
    expect(reserved.code).toBe(2)
    expect(reserved.stderr).toContain('"core" is reserved by the core')
    const taken = await fte(['new-domain', 'tasks', '--root', root], root)
    expect(taken.code).toBe(1)
    expect(taken.stderr).toContain('domains/tasks already exists: pick another name.')
    const bad = await fte(['new-domain', 'Pet_Clinic', '--root', root], root)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('is not a pack name')
    expect(await readFile(join(root, 'domains', 'index.ts'), 'utf8')).toBe(before)
  })
})
