import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { FteError } from '../lib/errors.ts'

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string
  close(): Promise<void>
}

export type FetchHandler = (request: Request) => Response | Promise<Response>

/** The thin Node adapter around a web-standard handler. */
export async function listen(
  fetch: FetchHandler,
  host: string,
  port: number,
): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: (request: Request) => fetch(request) })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new FteError(
          error.code === 'EADDRINUSE' ? 'port_in_use' : 'listen_failed',
          error.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is already in use: stop the other process, or choose another ` +
                'port with PORT or --port.'
            : `Cannot listen on ${host}:${port}: ${error.message}`,
          { fault: 'caller', cause: error },
        ),
      )
    })
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}
