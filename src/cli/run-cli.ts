import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { ConfigError, errorMessage, FteError, InvalidInputError } from '../lib/errors.ts'
import { packageRoot } from '../lib/package-root.ts'
import { consentTools, type DomainPack } from '../pack/domain-pack.ts'
import { type CliContext, packForHelp } from './cli-context.ts'
import { type ApproveOptions, type AskOptions, approveCommand, askCommand } from './commands/ask.ts'
import {
  authDevServerCommand,
  authTokenCommand,
  type DevServerOptions,
  type TokenOptions,
} from './commands/auth.ts'
import { backupCommand, restoreCommand } from './commands/backup.ts'
import { type ChatOptions, chatCommand } from './commands/chat.ts'
import { cleanupCommand } from './commands/cleanup.ts'
import { type DoctorOptions, doctorCommand } from './commands/doctor.ts'
import { embedCommand } from './commands/embed.ts'
import { evalCommand } from './commands/eval.ts'
import { inboxCommand } from './commands/inbox.ts'
import { jobActionCommand, jobsListCommand } from './commands/jobs.ts'
import { mcpCommand } from './commands/mcp.ts'
import { migrateCommand } from './commands/migrate.ts'
import { newDomainCommand } from './commands/new-domain.ts'
import { replayCommand } from './commands/replay.ts'
import { searchCommand } from './commands/search.ts'
import { seedCommand } from './commands/seed.ts'
import { serveCommand } from './commands/serve.ts'
import { skillsListCommand, skillsValidateCommand } from './commands/skills.ts'

/** Exit codes: 0 done, 1 a failure at run time, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/** Runs one `fte` command line; returns the exit code instead of exiting. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  let exitCode: number = EXIT.ok
  // Help speaks of the pack served (its demo people, its CSV, its approvals); read only for help.
  const pack = () => packForHelp(context)
  const program = new Command('fte')
    .description(
      'digital-fte: an AI Worker whose truth lives in Postgres + pgvector.\n' +
        'Configuration comes from the environment and .env (see .env.example).',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run fte --help, or npm run fte -- --help in the project, for usage)')

  program
    .command('serve')
    .description(
      'serve the web UI, the chat API and the MCP gateway: apply migrations, load demo data ' +
        'when missing, apply retention on a schedule',
    )
    .option('--host <host>', 'interface to listen on (default: HOST, or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: PORT, or 3000)', parsePort)
    .option('--domain <name>', `the domain pack to serve (default: FTE_DOMAIN, or support)`)
    .action(async (options: { host?: string; port?: number; domain?: string }) => {
      await serveCommand(withDomain(context, options.domain), options)
    })

  program
    .command('migrate')
    .description('apply pending migrations (core, then the domain pack), each in a transaction')
    .option(
      '--status',
      'show each migration as applied, pending, changed or missing; change nothing',
    )
    .option('--json', 'print JSON for machines')
    .action(async (options: { status?: boolean; json?: boolean }) => {
      exitCode = await migrateCommand(context, options)
    })

  program
    .command('backup')
    .description(
      'copy the embedded database (FTE_DATA_DIR) into <file>, a gzipped tar, consistently: a ' +
        'running server makes the copy itself, so it need not stop',
    )
    .argument('<file>', 'the backup to write, e.g. fte-2026-12-05.tar.gz')
    .option('--force', 'replace <file> if it exists')
    .addHelpText(
      'after',
      '\nRestore with fte restore <file>, into an empty FTE_DATA_DIR. With DATABASE_URL, use the ' +
        "server's own tools (pg_dump, or your provider's branches and point-in-time restore).",
    )
    .action(async (file: string, options: { force?: boolean }) => {
      await backupCommand(context, file, options)
    })

  program
    .command('restore')
    .description(
      'unpack a backup made by fte backup into FTE_DATA_DIR, which must be empty (a restore never ' +
        'overwrites a database), and open it once to check it',
    )
    .argument('<file>', 'the backup to restore')
    .action(async (file: string) => {
      await restoreCommand(context, file)
    })

  program
    .command('cleanup')
    .description(
      'remove what the retention settings say has expired (MESSAGE_RETENTION_HOURS, ' +
        'AUDIT_RETENTION_DAYS, IDEMPOTENCY_RETENTION_HOURS) and print how many rows of each kind',
    )
    .option('--json', 'print JSON for machines')
    .addHelpText(
      'after',
      '\nfte serve does this at start and every CLEANUP_INTERVAL_MINUTES (60); with that set to 0, ' +
        'schedule this command instead (it works beside a running server, on the embedded ' +
        'database too).\nAudit rows younger than 30 days are never removed.',
    )
    .action(async (options: { json?: boolean }) => {
      await cleanupCommand(context, options)
    })

  program
    .command('new-domain')
    .description(
      'scaffold a domain pack in domains/<name>/ (a migration, one tool, persona and rules, one ' +
        'skill, demo data, a test) and register it, ready for fte serve --domain <name>',
    )
    .argument('<name>', 'the pack name: lowercase words joined by hyphens (pet-clinic)')
    .option('--description <text>', 'one line on what the domain is about')
    .option('--root <dir>', 'the project folder holding domains/index.ts (default: this project)')
    .addHelpText(
      'after',
      '\nExample:\n  npm run fte -- new-domain pet-clinic --description "Pets, owners and visits"\n' +
        '  npm test -- domains/pet-clinic\n  npm start -- --domain pet-clinic',
    )
    .action(async (name: string, options: { description?: string; root?: string }) => {
      await newDomainCommand(context, name, options)
    })

  program
    .command('replay')
    .description(
      'tell what happened in a conversation, in time order: who wrote what, which skills the ' +
        'Worker activated, the tools it called and what they answered, who approved what',
    )
    .argument('<conversation-id>', 'the conversation UUID (fte ask prints it; so does the web UI)')
    .option('--verbose', 'also show skill bodies, whole tool arguments and answers, and audit rows')
    .option(
      '--json',
      'print the records behind it for machines (messages and audit rows, as written)',
    )
    .addHelpText(
      'after',
      '\nEach entry is a time (UTC), who acted, and what they did. Who is named one way ' +
        'throughout:\nthe person ("Ada Park (customer)"), the Worker acting for them ("Worker ' +
        'for Ada Park"),\nstaff ("Sam Rivera (staff)"), or "system".\n' +
        '\nExamples:\n  npm run --silent fte -- replay <conversation-id>\n' +
        '  npm run --silent fte -- replay <conversation-id> --verbose | less',
    )
    .action(async (conversationId: string, options: { json?: boolean; verbose?: boolean }) => {
      await replayCommand(context, conversationId, options)
    })

  program
    .command('search')
    .description('semantic search over one source of the system of record')
    .argument('<text>', 'what to look for, in plain words')
    .option(
      '--source <source>',
      'past_case, policy, conversation, or another document source',
      'past_case',
    )
    .option('-k, --k <n>', 'how many results (1-50)', parseCount, 5)
    .option('--json', 'print JSON for machines')
    .action(async (text: string, options: { source: string; k: number; json?: boolean }) => {
      await searchCommand(context, text, options)
    })

  program
    .command('mcp')
    .description(
      'serve the MCP gateway over stdio (for Claude Code, OpenCode, the MCP Inspector): ' +
        'acts as MCP_STDIO_SUB with MCP_STDIO_ROLE; logs go to stderr',
    )
    .option('--domain <name>', 'the domain pack to serve (default: FTE_DOMAIN, or support)')
    .action(async (options: { domain?: string }) => {
      await mcpCommand(withDomain(context, options.domain))
    })

  const auth = program
    .command('auth')
    .description('development sign-in: tokens for scripts, and the authorization server alone')
  auth
    .command('token')
    .description(
      "print a development access token for /mcp, signed with the development issuer's key " +
        '(the token is the last line of output)',
    )
    .option(
      '--sub <subject>',
      "who the token speaks for (default: the pack's demo person of the role)",
    )
    .option(
      '--scope <scopes>',
      "space- or comma-separated: read, write, staff and the pack's own (default: all of the role)",
    )
    .option('--role <role>', 'customer or staff: every scope of that role', parseRole)
    .option(
      '--email <email>',
      "a verified email claim (a pack may link the person's own records by it)",
    )
    .option('--ttl <seconds>', 'lifetime in seconds (60-86400)', parseTtl, 3600)
    .option(
      '--resource <url>',
      "the server's /mcp URL (default: PUBLIC_URL or http://HOST:PORT, plus /mcp)",
    )
    .option(
      '--issuer <url>',
      'the development sign-in URL the server trusts (default: http://127.0.0.1:AUTH_DEV_PORT, ' +
        'or the port of --resource + 1)',
    )
    .addHelpText('after', () => tokenHelp(pack()))
    .action(async (options: TokenOptions) => {
      await authTokenCommand(context, options)
    })
  auth
    .command('dev-server')
    .description(
      'run the development authorization server alone on AUTH_DEV_PORT (loopback only); ' +
        'servers then trust it with AUTH_ISSUER',
    )
    .option(
      '--resource <url...>',
      "more servers' URLs to issue tokens for (replicas); this server's own is always included",
    )
    .option('--auto <subject>', 'sign everyone in as this demo account, without a page')
    .action(async (options: DevServerOptions) => {
      await authDevServerCommand(context, options)
    })

  program
    .command('seed')
    .description(
      "import data into the domain's tables and embed it: a CSV file of the domain's rows, " +
        'and/or a folder of markdown policy documents',
    )
    .argument('[file.csv]', "a CSV file of the pack's rows (its columns are listed below)")
    .option('--policies <dir>', "load the folder's .md files as policy documents (add or update)")
    .option(
      '--skip-bad-rows',
      'import the good rows and list the bad ones (default: any bad row imports nothing)',
    )
    .option('--json', 'print JSON for machines')
    .addHelpText('after', () => seedHelp(pack()))
    .action(
      async (
        file: string | undefined,
        options: { policies?: string; skipBadRows?: boolean; json?: boolean },
      ) => {
        await seedCommand(context, file, options)
      },
    )

  program
    .command('embed')
    .description(
      'embed what is missing with the configured model (documents, conversation summaries)',
    )
    .option(
      '--reembed',
      'move the whole corpus to the configured model in one transaction, removing other models',
    )
    .option('--conversation <id>', 'summarise one conversation into conversation memory')
    .option('--json', 'print JSON for machines')
    .action(async (options: { reembed?: boolean; conversation?: string; json?: boolean }) => {
      await embedCommand(context, options)
    })

  const gatewayHelp =
    'how to reach the gateway: auto (default), stdio, in-process, or a remote /mcp URL ' +
    '(WORKER_GATEWAY)'
  const workerHelp = () =>
    '\nThe model comes from LLM_PROVIDER and its key (see .env.example, "The model"), e.g.\n' +
    '  OPENAI_API_KEY=sk-...                                  # OpenAI\n' +
    '  LLM_PROVIDER=groq GROQ_API_KEY=gsk_...                 # Groq\n' +
    '  LLM_BASE_URL=http://127.0.0.1:11434/v1 LLM_MODEL=llama3.1   # Ollama, any compatible server\n' +
    `${approvalHelp(pack())}\`fte doctor\` checks the whole chain.`

  program
    .command('chat')
    .description(
      'talk with the Worker: replies stream, each tool call and skill shows as a line, and ' +
        'calls that need a person ask for your approval',
    )
    .option('--conversation <id>', 'resume a conversation (its id is printed when it starts)')
    .option(
      '--json',
      'one JSON event per line; answer approvals with /approve <id> or /reject <id>',
    )
    .option('--gateway <how>', gatewayHelp)
    .addHelpText('after', workerHelp)
    .action(async (options: ChatOptions) => {
      exitCode = await chatCommand(context, options)
    })

  program
    .command('ask')
    .description(
      'one message to the Worker, its reply streamed; the conversation id goes to stderr',
    )
    .argument('<message>', 'what to ask, in quotes')
    .option('--conversation <id>', 'continue a conversation')
    .option('--json', 'one JSON event per line (each with the conversation id)')
    .option('--gateway <how>', gatewayHelp)
    .addHelpText('after', () => `${workerHelp()}\n\n${askExamples(pack())}`)
    .action(async (message: string, options: AskOptions) => {
      exitCode = await askCommand(context, message, options)
    })

  program
    .command('inbox')
    .description(
      'what waits for staff, oldest first: requests put to staff, conversations a person holds, ' +
        "and the domain's own kinds, each with who claimed it",
    )
    .option('--json', 'print JSON for machines')
    .action(async (options: { json?: boolean }) => {
      exitCode = await inboxCommand(context, options)
    })

  program
    .command('eval')
    .description('evaluate the Worker on scenarios: simulated conversations, graded, as pass^k')
    .argument('[files...]', "scenario files (default: the domain's shipped suite)")
    .option('--reference', "replay each scenario's reference actions through the gateway, no model")
    .option(
      '--clean',
      'drop the database copies killed runs left on Postgres (fte_eval_*), and nothing else',
    )
    .option('--trials <n>', 'trials per scenario', wholeNumber(1, 100), 1)
    .option('--concurrency <n>', 'trials at once', wholeNumber(1, 32), 1)
    .addOption(
      new Option(
        '--simulator <kind>',
        "the simulated customer: an LLM, or the scenarios' own messages",
      )
        .choices(['llm', 'scripted'])
        .default('llm'),
    )
    .addOption(
      new Option(
        '--opening <how>',
        "the LLM customer's first message: the scenario's, or one it writes from its goal",
      )
        .choices(['scripted', 'generated'])
        .default('scripted'),
    )
    .option(
      '--user-model <name>',
      "the simulated customer's model (default: EVAL_USER_MODEL, or the Worker's)",
    )
    .option('--scenario <ids>', 'only these scenarios (comma-separated; may repeat)', list)
    .option(
      '--tag <tags>',
      'only scenarios with one of these tags (comma-separated; may repeat)',
      list,
    )
    .option('--threshold <rate>', 'exit 1 unless pass^k is at least this (0 to 1)', rate)
    .option('--k <k>', 'the k of --threshold', wholeNumber(1, 100), 1)
    .option('--out <dir>', 'where the JSON and HTML reports go', 'eval-reports')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  fte eval --reference                        prove the shipped scenarios right (no model)\n' +
        '  fte eval --trials 4 --concurrency 2         the configured model (LLM_*), pass^1 … pass^4\n' +
        '  fte eval my-suite.yaml --threshold 0.9 --k 2   gate a release: exit 1 below it\n\n' +
        'Each trial runs in a fresh copy of a database prepared for the run (your own is never\n' +
        'touched). Exit codes: 0 done, 1 threshold not met or a reference failed, 2 bad input,\n' +
        '130 stopped by Ctrl-C (what finished is reported; a second Ctrl-C exits at once and may\n' +
        'leave copies on Postgres: fte eval --clean drops them). The scenario format: README,\n' +
        '"Write your own scenarios".',
    )
    .action(async (files: string[], options) => {
      exitCode = await evalCommand(context, files, options)
    })

  const jobs = program
    .command('jobs')
    .description(
      "the Worker's own work (email, webhooks, schedules): the job queue, the last runs and what " +
        'was handed to a person; run a job again or take it out',
    )
    .addHelpText('after', '\nWith no command, fte jobs lists (as fte jobs list does).')
  jobs
    .command('list', { isDefault: true })
    .description(
      'every job in the queue (waiting, running, retrying, failed) with its tries and last error, ' +
        'runs handed to a person and not yet dealt with, and the last runs that ended',
    )
    .option('--failed', 'only jobs whose attempts ran out')
    .option('--runs <n>', 'how many of the last runs to show (1-50)', parseCount, 10)
    .option('--json', 'print JSON for machines')
    .addHelpText(
      'after',
      '\nA job that fails is tried again after a wait that grows each time; when its attempts run\n' +
        'out it stays in the queue as failed, with its error, until retried or cancelled. A job\n' +
        'that succeeds leaves the queue; its runs stay in the record. It works beside a running\n' +
        'server, on the embedded database too. Examples:\n' +
        '  npm run fte -- jobs\n' +
        '  npm run fte -- jobs list --failed --json',
    )
    .action(async (options: { failed?: boolean; runs: number; json?: boolean }) => {
      exitCode = await jobsListCommand(context, options)
    })
  jobs
    .command('retry')
    .description('run a waiting or failed job again now, its attempts counted from zero (audited)')
    .argument('<id>', 'the job id fte jobs prints', parseJobId)
    .action(async (id: number) => {
      exitCode = await jobActionCommand(context, 'retry', id)
    })
  jobs
    .command('cancel')
    .description('take a waiting or failed job out of the queue: it will not run (audited)')
    .argument('<id>', 'the job id fte jobs prints', parseJobId)
    .action(async (id: number) => {
      exitCode = await jobActionCommand(context, 'cancel', id)
    })

  program
    .command('approve')
    .description(
      'approve (or --reject) a tool call the Worker paused on (the run then goes on from there, ' +
        'also after a restart), or a request put to staff (decided as staff, see fte inbox)',
    )
    .argument('<approval-id>', 'the id printed with the request')
    .option('--reject', 'refuse the call instead')
    .option(
      '--reason <text>',
      'why, for the model and the audit trail (required to reject a staff request)',
    )
    .option(
      '--as <staff-sub>',
      "the staff member deciding a staff request (default: the domain's demo staff person)",
    )
    .option('--json', 'one JSON event per line')
    .option('--gateway <how>', gatewayHelp)
    .action(async (approvalId: string, options: ApproveOptions) => {
      exitCode = await approveCommand(context, approvalId, options)
    })

  program
    .command('doctor')
    .description(
      'check the configuration, the database, the gateway and the model provider (a bad key ' +
        'fails in about a second; no model at all is "off", which the gateway does not need); ' +
        'exit code 1 when any check fails',
    )
    .option('--gateway <how>', gatewayHelp)
    .option('--json', 'print JSON for machines')
    .action(async (options: DoctorOptions) => {
      exitCode = await doctorCommand(context, options)
    })

  const skills = program
    .command('skills')
    .description('Agent Skills: the catalog the Worker offers, and a strict validator')
  skills
    .command('list')
    .description(
      'list the skills the Worker finds (project folders win over user folders), where each ' +
        'comes from, and problems found on the way',
    )
    .option('--tokens', 'show what the catalog costs in context on every turn, per skill')
    .option('--json', 'print JSON for machines')
    .addHelpText(
      'after',
      '\nSearched, first match of a name winning: .claude/skills, .agents/skills and\n' +
        ".opencode/skills in the working folder; the domain pack's own skills; then\n" +
        '~/.claude/skills, ~/.agents/skills and ~/.config/opencode/skills.\n' +
        'SKILLS_DIRS (folders separated by ":") replaces that list; SKILLS_USER=false leaves\n' +
        "out the user's folders.",
    )
    .action(async (options: { tokens?: boolean; json?: boolean }) => {
      await skillsListCommand(context, options)
    })
  skills
    .command('validate')
    .description(
      'check skills against the Agent Skills specification: every problem with its file and ' +
        'line; exit code 1 when any is an error',
    )
    .argument(
      '[dir]',
      'a skill folder or a folder of skills (default: every folder the Worker scans)',
    )
    .option('--json', 'print JSON for machines')
    .addHelpText(
      'after',
      '\nWarnings alone (a long body, a missing reference, a name claimed twice) exit 0.\n' +
        '\nExamples:\n' +
        '  fte skills validate                        # everything the Worker would load\n' +
        '  fte skills validate .claude/skills/log-a-note',
    )
    .action(async (dir: string | undefined, options: { json?: boolean }) => {
      exitCode = await skillsValidateCommand(context, dir, options)
    })

  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; anything else is a usage mistake.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    context.stderr.write(`fte: ${describe(error)}\n`)
    return exitCodeOf(error)
  }
}

/**
 * Usage exit for what was typed or configured wrong (invalid input, a bad CSV row, invalid
 * configuration): the command line or the configuration must change before a retry can work.
 * Any other error, the caller's included (a port in use, a data folder locked), is a failure.
 */
function exitCodeOf(error: unknown): number {
  return error instanceof InvalidInputError || error instanceof ConfigError
    ? EXIT.usage
    : EXIT.failure
}

function describe(error: unknown): string {
  if (error instanceof FteError) return error.message
  return `unexpected error: ${errorMessage(error)}`
}

function packageVersion(): string {
  const file = join(packageRoot(), 'package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

function parseCount(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 50) {
    throw new InvalidArgumentError('must be a whole number from 1 to 50')
  }
  return n
}

/** A whole number from `min` to `max`, as commander parses an option's value. */
function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`)
    }
    return n
  }
}

/** Comma-separated values, gathered over repeats of the option (`--tag a,b --tag c`). */
function list(value: string, previous: string[] | undefined): string[] {
  const values = value.split(',').map((v) => v.trim())
  if (values.some((v) => v === ''))
    throw new InvalidArgumentError('must be names separated by commas')
  return [...(previous ?? []), ...values]
}

/** A rate from 0 to 1 (`0.8`), or a percentage (`80%`). */
function rate(value: string): number {
  const percent = value.trim().endsWith('%')
  const n = Number(percent ? value.trim().slice(0, -1) : value)
  const r = percent ? n / 100 : n
  if (value.trim() === '' || !Number.isFinite(r) || r < 0 || r > 1) {
    throw new InvalidArgumentError('must be a rate from 0 to 1 (0.8) or a percentage (80%)')
  }
  return r
}

function parseJobId(value: string): number {
  const n = Number(value)
  if (!/^\d{1,18}$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a job id, a whole number (fte jobs lists them)')
  }
  return n
}

function parseRole(value: string): 'customer' | 'staff' {
  if (value !== 'customer' && value !== 'staff')
    throw new InvalidArgumentError('must be customer or staff')
  return value
}

function parseTtl(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 60 || n > 86_400) {
    throw new InvalidArgumentError('must be a whole number of seconds from 60 to 86400')
  }
  return n
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535')
  }
  return port
}

/** `--domain` wins over FTE_DOMAIN, and is checked with it (an unknown pack lists the known ones). */
function withDomain(context: CliContext, domain: string | undefined): CliContext {
  return domain === undefined
    ? context
    : { ...context, env: { ...context.env, FTE_DOMAIN: domain } }
}

/** `fte auth token --help`: examples with the pack's demo people, and the pack's own scopes. */
function tokenHelp(pack: DomainPack): string {
  const { customer, staff } = pack.demoPeople ?? {}
  const own = Object.entries(pack.scopes ?? {})
  return [
    '',
    `Scopes: read (look things up), write (change the caller's records), staff (act for anyone)${own.length === 0 ? '.' : ','}`,
    ...own.map(([name, what], i) => `  ${name}: ${what}${i === own.length - 1 ? '.' : ','}`),
    'Examples:',
    ...(customer === undefined
      ? []
      : [`  TOKEN=$(npm run --silent fte -- auth token --sub '${customer}' 2>/dev/null)`]),
    ...(staff === undefined
      ? []
      : [`  npm run --silent fte -- auth token --sub '${staff}' --role staff`]),
    '  npm run --silent fte -- auth token --scope read    # may look, may change nothing',
  ].join('\n')
}

/** `fte seed --help`: what the pack's CSV holds, and examples from its demo data. */
function seedHelp(pack: DomainPack): string {
  const csv = pack.csvImport
  const columns =
    csv === undefined
      ? `The ${pack.name} pack imports no CSV; --policies still loads markdown documents.`
      : `The ${pack.name} pack's CSV holds ${csv.row} per row, columns ${csv.requiredColumns.join(',')}` +
        (csv.optionalColumns.length === 0 ? '.' : ` (optional: ${csv.optionalColumns.join(', ')}).`)
  return [
    '',
    columns,
    'Running the same file again adds nothing. Each run that adds rows leaves one seed_run',
    'audit row with the counts. Examples:',
    ...(csv?.sample === undefined ? [] : [`  npm run --silent fte -- seed ${csv.sample}`]),
    '  npm run --silent fte -- seed --policies ./policies',
  ].join('\n')
}

/** Which of the pack's tools wait for a person's approval. */
function approvalHelp(pack: DomainPack): string {
  const tools = consentTools(pack)
  return tools.length === 0
    ? ''
    : `${tools.join(' and ')} wait${tools.length === 1 ? 's' : ''} for your approval; `
}

/** `fte ask --help`: the pack's example first message, and a follow-up. */
function askExamples(pack: DomainPack): string {
  const first = pack.examplePrompt ?? 'Hello, what can you do for me?'
  return [
    'Examples:',
    `  npm run --silent fte -- ask ${JSON.stringify(first)}`,
    '  npm run --silent fte -- ask "and what happens next?" --conversation <id>',
  ].join('\n')
}
