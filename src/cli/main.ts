#!/usr/bin/env node
// The `fte` entry point: the only place that touches process globals. The rest is imported after
// the version check, so an old Node.js gets this message rather than a syntax error.

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `fte needs Node.js 22.18 or newer (this is ${process.versions.node}). Run it through npm ` +
      '(npm start, npm run fte -- <command>), which uses the Node.js the project installs.\n',
  )
  process.exit(2)
}

// `fte skills list | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

const { runCli } = await import('./run-cli.ts')
const controller = new AbortController()
// The first signal stops the command in order (a server finishes its turns and closes the database
// cleanly); a second one exits at once. The listener stays on: a library that handles these
// signals too (the Agents SDK's tracing) exits the process itself when it finds no other listener.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143)
    controller.abort()
  })
}

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: controller.signal,
})
