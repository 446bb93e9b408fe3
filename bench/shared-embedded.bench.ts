import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { median, percentile } from './lib/measure.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
const ROUNDS = 5
const SERIAL_CALLS = 100
const IN_FLIGHT = 20
const CALLS_PER_FLIGHT = 10

interface Side {
  client: Client
  session: string
}

/**
 * What the embedded database's socket costs a gateway call: `fte mcp` on a data folder it holds
 * itself (every statement in process) against a second `fte mcp` on the same folder, which reaches
 * the database through the first one's socket. The same tool, the same data, interleaved rounds.
 */
export async function benchSharedEmbedded(report: (line: string) => void): Promise<BenchOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-socket-'))
  const env = {
    ...process.env,
    FTE_DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'silent',
    MCP_MAX_CONCURRENT_PER_IDENTITY: '100',
    MCP_RATE_LIMIT: '1000000',
    MCP_RATE_BURST: '10000',
  } as Record<string, string>
  const start = async (): Promise<Side> => {
    const client = new Client({ name: 'bench', version: '1.0.0' })
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN, 'mcp'],
        env,
        stderr: 'ignore',
      }),
    )
    const begun = await client.callTool({ name: 'begin_session', arguments: {} })
    if (begun.isError === true) throw new Error(`begin_session failed: ${JSON.stringify(begun)}`)
    return {
      client,
      session: String((begun.structuredContent as { session_handle: string }).session_handle),
    }
  }
  // The first holds the folder (and serves it); the second is served through the socket.
  const holder = await start()
  const served = await start()
  const lookup = async (side: Side) => {
    const result = await side.client.callTool({
      name: 'domain_lookup_customer',
      arguments: { session: side.session, customer_email: 'maya.okafor@example.com' },
    })
    if (result.isError === true)
      throw new Error(`a benchmark call failed: ${JSON.stringify(result)}`)
  }
  const serial = async (side: Side) => {
    const times: number[] = []
    for (let i = 0; i < SERIAL_CALLS; i++) {
      const t = performance.now()
      await lookup(side)
      times.push(performance.now() - t)
    }
    return times
  }
  const flight = async (side: Side) => {
    const started = performance.now()
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = 0; i < CALLS_PER_FLIGHT; i++) await lookup(side)
      }),
    )
    return (IN_FLIGHT * CALLS_PER_FLIGHT) / ((performance.now() - started) / 1000)
  }
  try {
    await serial(holder)
    await serial(served)
    const latency = { holder: [] as number[], served: [] as number[] }
    const rate = { holder: [] as number[], served: [] as number[] }
    for (let round = 0; round < ROUNDS; round++) {
      const order: Array<'holder' | 'served'> =
        round % 2 === 0 ? ['holder', 'served'] : ['served', 'holder']
      for (const name of order) {
        const side = name === 'holder' ? holder : served
        latency[name].push(...(await serial(side)))
        rate[name].push(await flight(side))
      }
    }
    const p = (times: number[]) =>
      `p50 ${median(times).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms`
    report(
      `  one call at a time: in process ${median(latency.holder).toFixed(2)} ms, through the socket ${median(latency.served).toFixed(2)} ms; ${IN_FLIGHT} in flight: ${Math.round(median(rate.holder))} vs ${Math.round(median(rate.served))} calls/s`,
    )
    return {
      results: [
        compare(
          'domain_lookup_customer over stdio, embedded database reached through the holder’s socket, one call at a time',
          'ms',
          median(latency.served),
          'the same by the fte mcp that holds the folder (in process)',
          median(latency.holder),
          `${p(latency.served)} (in process: ${p(latency.holder)}); ${ROUNDS} interleaved rounds of ${SERIAL_CALLS}`,
        ),
        compare(
          `domain_lookup_customer over stdio through the holder’s socket, ${IN_FLIGHT} in flight`,
          'ops/s',
          median(rate.served),
          'the same by the fte mcp that holds the folder (in process)',
          median(rate.holder),
          `median of ${ROUNDS} interleaved rounds; every statement of the served process crosses the socket and waits its turn on the one session`,
        ),
      ],
      skipped: [],
    }
  } finally {
    await served.client.close()
    await holder.client.close()
    await rm(dir, { recursive: true, force: true })
  }
}
