import type { Readable, Writable } from 'node:stream'
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio'
import { buildGateway } from '../../app/build-gateway.ts'
import { prepareDatabase } from '../../app/prepare-database.ts'
import type { Identity } from '../../auth/identity.ts'
import { scopesFor } from '../../auth/scopes.ts'
import { createEmbedder } from '../../embedding/create-embedder.ts'
import { errorMessage } from '../../lib/errors.ts'
import { packScopes } from '../../pack/domain-pack.ts'
import { connect } from '../../store/connect.ts'
import type { Database } from '../../store/database.ts'
import { type CliContext, loadRuntime } from '../cli-context.ts'

/**
 * `fte mcp`: the gateway over stdio, for Claude Code, OpenCode and the MCP Inspector. It answers
 * the handshake and `tools/list` at once and opens the database meanwhile; tool calls wait for it
 * (and fail closed if it cannot be opened, until a later call opens it). The caller is the local operator named in
 * MCP_STDIO_SUB / MCP_STDIO_ROLE. stdout carries the protocol only; logs go to stderr.
 */
export async function mcpCommand(context: CliContext): Promise<void> {
  const runtime = loadRuntime(context, { service: true })
  const { config, logger, pack } = runtime
  const embedder = createEmbedder(config.embedding, pack.lexicon)
  // Opened again on a later tool call if this fails: the embedded database may be held by an
  // `fte serve` that stops later, or the server may be down when the client starts us.
  const open = (): Promise<Database> =>
    connect(config.database, logger, { lasting: true })
      .then(async (db) => {
        try {
          await prepareDatabase(db, { pack, embedder, demoData: config.demoData, logger })
          return db
        } catch (error) {
          await db.close()
          throw error
        }
      })
      .catch((error: unknown) => {
        logger.error(
          { err: errorMessage(error) },
          'the database could not be opened: tool calls fail closed, and a later one tries again',
        )
        throw error
      })
  const identity: Identity = {
    sub: config.gateway.stdio.sub,
    role: config.gateway.stdio.role,
    // The local operator: everything the role may do.
    scopes: scopesFor(config.gateway.stdio.role, packScopes(pack)),
  }
  const gateway = await buildGateway(runtime, open, embedder)
  const transport = new ClosingStdioTransport(
    (context.stdin ?? process.stdin) as Readable,
    context.stdout as Writable,
  )
  // The opening message picks the era: `initialize` (2025-11-25 and earlier) or `server/discover`
  // (2026-07-28); either way one server for the operator serves the connection.
  const served = serveStdio(gateway.factoryFor(identity), {
    transport,
    onerror: (error) => logger.debug({ err: error.message }, 'MCP message rejected'),
  })
  logger.info({ sub: identity.sub, role: identity.role, domain: pack.name }, 'MCP gateway on stdio')
  try {
    await new Promise<void>((resolve) => {
      transport.closed.then(resolve)
      context.signal?.addEventListener('abort', () => resolve(), { once: true })
    })
  } finally {
    await served.close().catch(() => {})
    const deps = await gateway.ready.catch(() => undefined)
    await deps?.db.close()
  }
}

/**
 * stdio that says when it has closed (stdin ended, stdout failed, or closed by us): serveStdio
 * takes the transport's `onclose` for itself.
 */
class ClosingStdioTransport extends StdioServerTransport {
  private readonly ended = Promise.withResolvers<void>()
  readonly closed = this.ended.promise

  override async close(): Promise<void> {
    await super.close()
    this.ended.resolve()
  }
}
