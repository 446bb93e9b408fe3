// `npm run conformance`: the official MCP conformance suite (server mode) against /mcp.
// The suite's client sends no Authorization header, so a small proxy in front of the real /mcp
// adds a development token for a demo customer and forwards every other header untouched (Host
// and Origin included, so the DNS-rebinding scenario meets the real checks). Scenarios that need
// fixtures this gateway deliberately does not have (resources, prompts, sampling, ...) are listed,
// with the reason, in expected-failures.yml; anything else failing fails the run.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadDemoData } from '../../domains/support/demo/load-demo-data.ts'
import { supportPack } from '../../domains/support/index.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { packageRoot } from '../../src/lib/package-root.ts'
import { migrationSources } from '../../src/pack/domain-pack.ts'
import { loadMigrations } from '../../src/store/migration-files.ts'
import { migrate } from '../../src/store/migrator.ts'
import { openPglite } from '../../src/store/pglite-database.ts'
import { serveGatewayOverHttp } from '../support/gateway-http.ts'
import { MAYA } from '../support/support-scenario.ts'

const dir = await mkdtemp(join(tmpdir(), 'fte-conformance-'))
const db = await openPglite()
const logger = createLogger({ level: 'warn' })
let status = 1
try {
  const migrated = await migrate(db, await loadMigrations(migrationSources(supportPack)))
  if (migrated.error) throw migrated.error
  await loadDemoData(db)
  const served = await serveGatewayOverHttp(db, dir, {
    pack: supportPack,
    person: MAYA.sub,
    logger,
  })
  const resource = served.resource
  const token = await served.token()
  const target = new URL(resource)
  const proxy = createServer((incoming, outgoing) => {
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, authorization: `Bearer ${token}` },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    forwarded.on('error', () => outgoing.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`
  status = await new Promise<number>((resolve) => {
    const child = execFile(
      process.execPath,
      [
        join(
          packageRoot(),
          'node_modules',
          '@modelcontextprotocol',
          'conformance',
          'dist',
          'index.js',
        ),
        'server',
        '--url',
        url,
        '--expected-failures',
        join(packageRoot(), 'test', 'conformance', 'expected-failures.yml'),
        ...process.argv.slice(2),
      ],
      { maxBuffer: 64 * 2 ** 20 },
      (error) => resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : 1),
    )
    child.stdout?.pipe(process.stdout)
    child.stderr?.pipe(process.stderr)
  })
  proxy.close()
  await served.close()
} finally {
  await db.close()
  await rm(dir, { recursive: true, force: true })
}
process.exit(status)
