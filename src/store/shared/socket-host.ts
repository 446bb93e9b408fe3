import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ClientConnection } from './client-connection.ts'
import type { HostSession } from './host-session.ts'
import { errorResponse } from './wire.ts'

/** The socket's file name, as a Postgres server names its own: clients find it by folder and port. */
export const SOCKET_PORT = 5432
const SOCKET_FILE = `.s.PGSQL.${SOCKET_PORT}`
/** A Unix socket's path must fit in 108 bytes (with its NUL). */
const MAX_SOCKET_PATH = 103

/** The default longest turn (one client's transaction) before it is rolled back. */
export const TURN_LIMIT_MS = 30_000

export interface SocketHost {
  /** The folder holding the socket: a client's `host`. */
  readonly socketDir: string
  readonly connections: () => number
  close(): Promise<void>
}

export interface SocketHostOptions {
  session: HostSession
  dataDir: string
  turnLimitMs?: number
  onError(error: unknown): void
}

/**
 * Serves the embedded database to other local processes over a Unix socket speaking the Postgres
 * wire protocol, so they reach it with the ordinary driver. The socket lives in the data folder
 * (private, 0700) with mode 0600; when the folder's path is too long for a socket, in a private
 * folder of its own under the system's temporary folder instead.
 */
export async function hostSocket(options: SocketHostOptions): Promise<SocketHost> {
  const inData = join(resolve(options.dataDir), SOCKET_FILE)
  const own = inData.length > MAX_SOCKET_PATH ? mkdtempSync(join(tmpdir(), 'fte-')) : undefined
  const socketDir = own ?? resolve(options.dataDir)
  const path = join(socketDir, SOCKET_FILE)
  const connections = new Set<ClientConnection>()
  let nextId = 1
  const server: Server = createServer((socket) => {
    const connection = new ClientConnection(socket, {
      id: nextId++,
      session: options.session,
      turnLimitMs: options.turnLimitMs ?? TURN_LIMIT_MS,
      onClose: (closed) => connections.delete(closed),
      onError: options.onError,
    })
    connections.add(connection)
  })
  // We hold the folder's lock, so a socket file left there is a crashed holder's.
  rmSync(path, { force: true })
  await new Promise<void>((done, failed) => {
    server.once('error', failed)
    server.listen(path, () => {
      server.off('error', failed)
      done()
    })
  })
  chmodSync(path, 0o600)
  server.on('error', options.onError)
  return {
    socketDir,
    connections: () => connections.size,
    close: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()))
      const goodbye = errorResponse(
        'FATAL',
        '57P01',
        `the process serving the embedded database (pid ${process.pid}) is stopping`,
      )
      await Promise.all([...connections].map((connection) => connection.close(goodbye)))
      await closed
      rmSync(own ?? path, { recursive: true, force: true })
    },
  }
}
