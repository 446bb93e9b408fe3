import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../src/lib/package-root.ts'

const root = packageRoot()
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/**
 * Where each command the README shows is exercised: a test (or CI step) that runs it, or for a
 * command of another program that these machines cannot run (a tunnel, claude.ai's and other
 * clients' own commands, a provider's key), the test of what this server does for it. `shows` is
 * text that file holds where it does so. A command added to the README without an entry here
 * fails this test, and so does an entry no README command uses any more.
 */
const EXERCISED: Array<{ command: RegExp; where: string; shows: string }> = [
  { command: /^npm install( && npm start)?$/, where: '.ci/run', shows: 'npm install --no-audit' },
  { command: /^npm start$/, where: 'src/cli/commands/serve.e2e.test.ts', shows: "runCli(['serve'" },
  { command: /^npm test( -- domains\/pet-clinic)?$/, where: '.ci/run', shows: 'npm test --' },
  {
    command: /^npm run test:(unit|db|e2e)$/,
    where: 'test/test-projects.test.ts',
    shows: 'npm run test:unit, test:db, test:e2e',
  },
  { command: /^npm run build$/, where: '.ci/run', shows: 'node dist/src/cli/main.js --help' },
  {
    command: /^node_modules\/\.bin\/node dist\/src\/cli\/main\.js serve$/,
    where: '.ci/run',
    shows: 'node_modules/.bin/node dist/src/cli/main.js serve',
  },
  { command: /^npm run bench$/, where: 'bench/run.ts', shows: 'const suites' },
  { command: /^npm run load$/, where: '.ci/run', shows: 'npm run load' },
  { command: /^npm run conformance$/, where: '.ci/run', shows: 'npm run conformance' },
  {
    command: /^npm run scripted-model$/,
    where: 'test/no-provider-demo.e2e.test.ts',
    shows: "scripts['scripted-model']",
  },
  { command: /^npm run fte -- <command>$/, where: 'src/cli/run-cli.e2e.test.ts', shows: 'fte([' },
  {
    command: /^curl http:\/\/127\.0\.0\.1:3000\/healthz$/,
    where: 'src/cli/commands/serve.e2e.test.ts',
    shows: '/healthz',
  },
  {
    command: /^curl -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:3000\/api\/me$/,
    where: 'src/http/mcp.db.test.ts',
    shows: "'/api/me'",
  },
  {
    command: /^TOKEN=\$\(npm run --silent fte -- auth token --sub 'demo\|maya-okafor'\)$/,
    where: 'src/cli/run-cli.e2e.test.ts',
    shows: "'token'",
  },
  {
    command: /^npm run --silent fte -- auth token$/,
    where: 'src/cli/run-cli.e2e.test.ts',
    shows: "'token'",
  },
  {
    command: /^npm run fte -- auth dev-server$/,
    where: 'src/cli/commands/serve.e2e.test.ts',
    shows: "'dev-server'",
  },
  {
    command: /^npm run --silent fte -- mcp$/,
    where: 'src/cli/commands/mcp.e2e.test.ts',
    shows: "'mcp'",
  },
  {
    command:
      /^npx @modelcontextprotocol\/inspector --cli (npm run --silent fte -- mcp|http:\/\/127\.0\.0\.1:3000\/mcp)/,
    where: 'src/gateway/inspector.e2e.test.ts',
    shows: "'--cli'",
  },
  {
    command: /^npm run fte -- migrate --status$/,
    where: 'src/cli/run-cli.e2e.test.ts',
    shows: "'--status'",
  },
  {
    command: /^npm run fte -- doctor$/,
    where: 'src/cli/commands/ask.e2e.test.ts',
    shows: "'doctor'",
  },
  { command: /^npm run fte -- cleanup$/, where: 'src/cli/run-cli.e2e.test.ts', shows: "'cleanup'" },
  {
    command: /^npm run fte -- backup fte-backup\.tar\.gz$/,
    where: 'src/cli/commands/backup.e2e.test.ts',
    shows: "['backup', backup()]",
  },
  {
    command: /^npm run fte -- embed --reembed$/,
    where: 'src/cli/run-cli.e2e.test.ts',
    shows: "'--reembed'",
  },
  {
    command: /^npm run fte -- replay 7a2e4c1b-5d3f-4e8a-9b6c-1f0e2d3c4b5a$/,
    where: 'src/cli/run-cli.e2e.test.ts',
    shows: "'replay'",
  },
  {
    command:
      /^npm run fte -- seed (--policies domains\/support\/demo\/policies|domains\/support\/demo\/resolved-tickets\.csv)$/,
    where: 'src/cli/run-cli.e2e.test.ts',
    shows: "'seed'",
  },
  {
    command: /^npm run fte -- new-domain pet-clinic --description "Pets, owners and visits"$/,
    where: 'src/cli/commands/new-domain.e2e.test.ts',
    shows: "'new-domain'",
  },
  {
    command: /^npm start -- --domain (tasks|pet-clinic)$/,
    where: 'src/cli/commands/serve.e2e.test.ts',
    shows: "'--domain', 'tasks'",
  },
  {
    command:
      /^(bash \.ci\/install-postgres\.sh|eval "\$\(bash \.ci\/postgres-cluster\.sh start \| tail -n 1\)"|bash \.ci\/postgres-cluster\.sh stop)$/,
    where: '.ci/run',
    shows: 'postgres-cluster.sh start',
  },
  // A real Postgres URL of Neon's shape: the suite connects to a local TLS server with it.
  {
    command: /^DATABASE_URL='postgresql:\/\/[^']+neon\.tech[^']+' npm start$/,
    where: 'src/store/postgres-database.db.test.ts',
    shows: 'channel_binding=require',
  },
  { command: /^npm run fte -- eval --reference$/, where: '.ci/run', shows: 'eval --reference' },
  {
    command:
      /^(OPENAI_API_KEY=sk-\.\.\. )?npm run fte -- eval --trials 4 --concurrency 2 (--threshold 0\.8|--tag refunds)$/,
    where: 'test/eval-scripted.e2e.test.ts',
    shows: "'--concurrency'",
  },
  {
    command: /^npm run fte -- eval --reference my-suite\.yaml$/,
    where: 'test/eval-scripted.e2e.test.ts',
    shows: "'my-suite.yaml'",
  },
  // Providers' keys: the same code against a local OpenAI-compatible server.
  {
    command:
      /^(OPENAI_API_KEY=sk-\.\.\.|LLM_PROVIDER=groq GROQ_API_KEY=gsk_\.\.\.|LLM_BASE_URL=http:\/\/127\.0\.0\.1:11434\/v1 LLM_MODEL=llama3\.1) +npm run fte -- chat$/,
    where: 'src/cli/commands/ask.e2e.test.ts',
    shows: "'chat'",
  },
  {
    command:
      /^EMBEDDING_PROVIDER=openai (OPENAI_API_KEY=sk-\.\.\.|EMBEDDING_BASE_URL=\S+ +EMBEDDING_MODEL=nomic-embed-text) npm start$/,
    where: 'src/embedding/openai-embedder.test.ts',
    shows: 'createOpenAiEmbedder(',
  },
  {
    command:
      /^(EMAIL_LISTEN_PORT=2525 JOBS_REPLIES=draft npm start|curl smtp:\/\/127\.0\.0\.1:2525 .*|t=\$\(date \+%s\); sig=.*|curl -X POST http:\/\/127\.0\.0\.1:3000\/api\/inbound\/email .*)$/,
    where: 'test/email-by-hand.e2e.test.ts',
    shows: 'as the README shows it',
  },
  // Other programs' commands: what this server does for each is tested.
  {
    command:
      /^(cloudflared tunnel --url http:\/\/127\.0\.0\.1:3000|ngrok http 3000|PUBLIC_URL=https:\/\/<tunnel host> AUTH_ISSUER=https:\/\/<your issuer>\/ npm start)$/,
    where: 'src/cli/commands/serve.e2e.test.ts',
    shows: 'behind a tunnel',
  },
  {
    command:
      /^(claude mcp add --transport http fte http:\/\/127\.0\.0\.1:3000\/mcp|opencode mcp add fte --url http:\/\/127\.0\.0\.1:3000\/mcp|opencode mcp list)$/,
    where: 'src/auth/oauth-flow.db.test.ts',
    shows: 'discovery, registration and PKCE',
  },
]

/** Every command the README shows: the lines of its `sh` blocks, and inline commands. */
function readmeCommands(): string[] {
  const commands = new Set<string>()
  for (const [, block] of readme.matchAll(/^ *```sh\n([\s\S]*?)^ *```/gm)) {
    for (const raw of (block ?? '').replace(/\\\n\s*/g, ' ').split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim()
      if (line !== '' && !line.startsWith('#')) commands.add(line.replace(/\s+/g, ' '))
    }
  }
  const inline = readme.replace(/\n/g, ' ')
  for (const [, command] of inline.matchAll(
    /`((?:npm|npx|curl|bash|claude|opencode|cloudflared|ngrok|node_modules\/\.bin\/node) [^`]+)`/g,
  )) {
    commands.add((command ?? '').replace(/\s+/g, ' '))
  }
  return [...commands]
}

describe('README', () => {
  const commands = readmeCommands()

  it('shows only commands a test or CI exercises', () => {
    expect(commands.length).toBeGreaterThan(30)
    const unexercised = commands.filter((c) => !EXERCISED.some((e) => e.command.test(c)))
    expect(unexercised).toEqual([])
  })

  it('names, for each, a file that does exercise it, and keeps no entry it no longer needs', () => {
    for (const entry of EXERCISED) {
      const path = join(root, entry.where)
      expect(existsSync(path), entry.where).toBe(true)
      expect(readFileSync(path, 'utf8'), `${entry.where} should show ${entry.shows}`).toContain(
        entry.shows,
      )
      expect(
        commands.some((c) => entry.command.test(c)),
        `${entry.command} matches no README command`,
      ).toBe(true)
    }
  })
})
