import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { supportPack } from '../domains/support/index.ts'
import { tokenVerifier } from '../src/auth/token-verifier.ts'
import { createLogger } from '../src/lib/logger.ts'
import { serveGatewayOverHttp } from '../test/support/gateway-http.ts'
import { MAYA } from '../test/support/support-scenario.ts'
import { median } from './lib/measure.ts'
import { openDemoDatabase, postgresForBench } from './lib/postgres.ts'
import { type BenchOutcome, compare } from './lib/result.ts'

const TOKENS_PER_ROUND = 500
const ROUNDS = 3
const CACHED_CHECKS = 20_000
const LOOKUPS = 500

/**
 * What checking an access token costs one request, against what the request costs in all: a
 * `domain_lookup_customer` call over HTTP, one client, one call at a time, on PostgreSQL. The keys
 * come from a JWKS URL (fetched once, then cached), as from any external issuer. A token seen for
 * the first time has its signature checked (EdDSA, the development issuer's; RS256, most hosted
 * issuers'); a token seen again is answered from the verifier's cache until it expires.
 */
export async function benchTokenVerification(
  env: Readonly<Record<string, string | undefined>>,
  report: (line: string) => void,
): Promise<BenchOutcome> {
  const out: BenchOutcome = { results: [], skipped: [] }
  const server = await postgresForBench(env)
  if (typeof server === 'string') {
    out.skipped.push({ name: 'token verification (its share of a lookup)', reason: server })
    return out
  }
  const dir = await mkdtemp(join(tmpdir(), 'fte-bench-token-'))
  try {
    const lookupMs = await lookupLatency(server.url, dir)
    report(`  domain_lookup_customer over HTTP, one at a time: p50 ${lookupMs.toFixed(2)} ms`)
    const keys = await issuerKeys()
    try {
      const anchorName = `one domain_lookup_customer call over HTTP (p50 of ${LOOKUPS}, one client, PostgreSQL)`
      const anchorUs = lookupMs * 1000
      const share = (us: number) => `${((100 * us) / anchorUs).toPrecision(2)} % of the call`
      for (const alg of ['EdDSA', 'RS256'] as const) {
        const fetchesBefore = keys.fetches()
        const perToken = await newTokens(keys, alg)
        const fetched = keys.fetches() - fetchesBefore
        report(`  a new ${alg} token: ${perToken.toFixed(1)} µs`)
        out.results.push(
          compare(
            `token verification, a new ${alg} token (keys cached)`,
            'µs',
            perToken,
            anchorName,
            anchorUs,
            `${share(perToken)}; median of ${ROUNDS} rounds of ${TOKENS_PER_ROUND} distinct tokens; ${fetched} JWKS fetch for ${TOKENS_PER_ROUND * (ROUNDS + 1)} tokens`,
          ),
        )
      }
      const cached = await sameToken(keys)
      report(`  the same token again: ${cached.toFixed(2)} µs`)
      out.results.push(
        compare(
          'token verification, a token already verified (cached until it expires)',
          'µs',
          cached,
          anchorName,
          anchorUs,
          `${share(cached)}; mean of ${CACHED_CHECKS} checks; what every later request with that token pays`,
        ),
      )
    } finally {
      await keys.close()
    }
  } finally {
    await server.release()
    await rm(dir, { recursive: true, force: true })
  }
  return out
}

interface Keys {
  url: string
  issuer: string
  sign(alg: 'EdDSA' | 'RS256', jti: string): Promise<string>
  fetches(): number
  close(): Promise<void>
}

/** An issuer of our own: EdDSA and RSA 2048 keys, its JWKS served over HTTP on loopback. */
async function issuerKeys(): Promise<Keys> {
  const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
  const rsa = await generateKeyPair('RS256', { modulusLength: 2048 })
  const jwks = JSON.stringify({
    keys: [
      { ...(await exportJWK(ed.publicKey)), kid: 'ed', alg: 'EdDSA', use: 'sig' },
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256', use: 'sig' },
    ],
  })
  let fetches = 0
  const http = createServer((_req, res) => {
    fetches++
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  return {
    url: `${url}/jwks`,
    issuer: url,
    sign: (alg, jti) =>
      new SignJWT({ scope: 'read write refund' })
        .setProtectedHeader({ alg, kid: alg === 'EdDSA' ? 'ed' : 'rsa', typ: 'at+jwt' })
        .setIssuer(url)
        .setAudience(MCP)
        .setSubject('demo|maya-okafor')
        .setJti(jti)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(alg === 'EdDSA' ? ed.privateKey : rsa.privateKey),
    fetches: () => fetches,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  }
}

const MCP = 'http://127.0.0.1:3000/mcp'

/** A verifier of this server's two resources, asked as `/mcp` asks: for its own audience only. */
function verifierOf(keys: Keys) {
  const verify = tokenVerifier({
    issuer: keys.issuer,
    audience: [MCP, 'http://127.0.0.1:3000'],
    keys: { url: keys.url },
  })
  return (token: string) => verify(token, [MCP])
}

/** µs per token seen for the first time: its signature and claims checked. */
async function newTokens(keys: Keys, alg: 'EdDSA' | 'RS256'): Promise<number> {
  const verify = verifierOf(keys)
  const tokens = await Promise.all(
    Array.from({ length: TOKENS_PER_ROUND * (ROUNDS + 1) }, (_, i) =>
      keys.sign(alg, `${alg}-${i}`),
    ),
  )
  // Warm-up round: the key set fetched, the JIT warm.
  for (const token of tokens.slice(0, TOKENS_PER_ROUND)) await verify(token)
  const rounds: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const batch = tokens.slice(round * TOKENS_PER_ROUND, (round + 1) * TOKENS_PER_ROUND)
    const started = performance.now()
    for (const token of batch) await verify(token)
    rounds.push(((performance.now() - started) * 1000) / batch.length)
  }
  return median(rounds)
}

/** µs per check of a token already verified. */
async function sameToken(keys: Keys): Promise<number> {
  const verify = verifierOf(keys)
  const token = await keys.sign('EdDSA', 'again')
  await verify(token)
  const started = performance.now()
  for (let i = 0; i < CACHED_CHECKS; i++) await verify(token)
  return ((performance.now() - started) * 1000) / CACHED_CHECKS
}

/** p50 ms of a lookup over HTTP, through the whole stack, one call at a time. */
async function lookupLatency(url: string, dir: string): Promise<number> {
  const logger = createLogger({ level: 'silent' })
  const db = await openDemoDatabase(url, 10)
  try {
    const served = await serveGatewayOverHttp(db, dir, {
      pack: supportPack,
      person: MAYA.sub,
      logger,
    })
    const client = new Client({ name: 'bench', version: '1.0.0' })
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(served.resource), {
          requestInit: { headers: { Authorization: `Bearer ${await served.token()}` } },
        }),
      )
      const begun = await client.callTool({ name: 'begin_session', arguments: {} })
      const session = (begun.structuredContent as { session_handle: string }).session_handle
      const call = async () => {
        const result = await client.callTool({
          name: 'domain_lookup_customer',
          arguments: { session },
        })
        if (result.isError === true) throw new Error('a benchmark lookup failed')
      }
      for (let i = 0; i < 50; i++) await call()
      const times: number[] = []
      for (let i = 0; i < LOOKUPS; i++) {
        const started = performance.now()
        await call()
        times.push(performance.now() - started)
      }
      return median(times)
    } finally {
      await client.close()
      await served.close()
    }
  } finally {
    await db.close()
  }
}
