import { describe, expect, it } from 'vitest'
import { ConfigError } from '../lib/errors.ts'
import { parseConfig } from './config.ts'
import { devPortFor } from './sections/auth.ts'

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parseConfig(env, { cwd: '/work', domains: ['support'] })
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('parseConfig', () => {
  it('gives an embedded database in .fte under the working directory when nothing is set', () => {
    const config = parseConfig({}, { cwd: '/work/app' })
    expect(config.database.url).toBeUndefined()
    expect(config.database.dataDir).toBe('/work/app/.fte')
    expect(config.server).toEqual({ host: '127.0.0.1', port: 3000 })
    expect(config.domain).toBe('support')
    expect(config.demoData).toBe(true)
  })

  it('limits each identity to a shared budget of gateway calls unless MCP_RATE_LIMIT is 0', () => {
    expect(parseConfig({}, { cwd: '/w' }).gateway.rateLimit).toEqual({ perMinute: 600, burst: 120 })
    const set = { MCP_RATE_LIMIT: '60', MCP_RATE_BURST: '5' }
    expect(parseConfig(set, { cwd: '/w' }).gateway.rateLimit).toEqual({ perMinute: 60, burst: 5 })
    expect(parseConfig({ MCP_RATE_LIMIT: '0' }, { cwd: '/w' }).gateway.rateLimit).toBeUndefined()
  })

  it('treats empty variables as unset, as a .env copied from .env.example leaves them', () => {
    const config = parseConfig({ DATABASE_URL: '', PORT: '', FTE_DATA_DIR: '' }, { cwd: '/w' })
    expect(config.database.url).toBeUndefined()
    expect(config.server.port).toBe(3000)
    expect(config.database.dataDir).toBe('/w/.fte')
  })

  it('accepts a Neon connection string with sslmode and channel_binding', () => {
    const url =
      'postgresql://neondb_owner:npg_s3cret@ep-cool-hill-a5b6.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require'
    expect(parseConfig({ DATABASE_URL: url }, { cwd: '/w' }).database.url).toBe(url)
  })

  it('lists every problem by variable name in one error', () => {
    const problems = problemsOf({
      PORT: '70000',
      LOG_LEVEL: 'loud',
      DATABASE_POOL_MAX: '0',
      FTE_DEMO_DATA: 'maybe',
    })
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_POOL_MAX',
      'FTE_DEMO_DATA',
      'LOG_LEVEL',
      'PORT',
    ])
  })

  it('never echoes the value of an invalid DATABASE_URL, which carries a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://admin:hunter2@db.example.com/app' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^DATABASE_URL: /)
    expect(problems.join('\n')).not.toContain('hunter2')
    expect(problems.join('\n')).not.toContain('db.example.com')
  })

  it('keeps an absolute FTE_DATA_DIR as it is', () => {
    expect(parseConfig({ FTE_DATA_DIR: '/var/lib/fte' }, { cwd: '/w' }).database.dataDir).toBe(
      '/var/lib/fte',
    )
  })

  it('refuses a port that is not a whole number', () => {
    expect(problemsOf({ PORT: '80.5' })).toEqual(['PORT: must be an integer from 0 to 65535'])
  })
})

describe('embedding configuration', () => {
  it('defaults to the local embedder at 1024 dimensions', () => {
    expect(parseConfig({}, { cwd: '/w' }).embedding).toEqual({
      provider: 'local',
      model: 'fte-local-lexical-v2',
      dimensions: 1024,
    })
  })

  it('knows the dimension of well-known models and takes OPENAI_API_KEY', () => {
    const config = parseConfig(
      { EMBEDDING_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-x' },
      { cwd: '/w' },
    )
    expect(config.embedding).toMatchObject({
      provider: 'openai',
      model: 'text-embedding-3-small',
      dimensions: 1536,
      apiKey: 'sk-x',
      baseUrl: 'https://api.openai.com/v1',
    })
  })

  it('needs no key for another base URL, but a dimension for an unknown model', () => {
    expect(
      problemsOf({
        EMBEDDING_PROVIDER: 'openai',
        EMBEDDING_BASE_URL: 'http://127.0.0.1:11434/v1',
        EMBEDDING_MODEL: 'my-embedder',
      }),
    ).toEqual([
      'EMBEDDING_DIMENSIONS: required for my-embedder (the length of the vectors it returns)',
    ])
  })

  it('asks for a key for the OpenAI API, and for the right provider for a non-local model', () => {
    expect(problemsOf({ EMBEDDING_PROVIDER: 'openai' })).toEqual([
      'EMBEDDING_API_KEY: required for the OpenAI API (or set OPENAI_API_KEY)',
    ])
    expect(problemsOf({ EMBEDDING_MODEL: 'text-embedding-3-small' })[0]).toMatch(
      /^EMBEDDING_MODEL: .*set EMBEDDING_PROVIDER=openai/,
    )
    // An earlier local model pinned in an old .env: the name to leave out, not another provider.
    expect(problemsOf({ EMBEDDING_MODEL: 'fte-local-lexical-v1' })).toEqual([
      "EMBEDDING_MODEL: fte-local-lexical-v1 is not the local embedder's name (fte-local-lexical-v2, plus the pack's lexicon): leave EMBEDDING_MODEL unset; a corpus of an earlier local model is moved on start",
    ])
    expect(
      parseConfig({ EMBEDDING_MODEL: 'fte-local-lexical-v2' }, { cwd: '/work' }).embedding,
    ).toMatchObject({ provider: 'local', model: 'fte-local-lexical-v2' })
  })
})

describe('sign-in configuration', () => {
  const parse = (env: Record<string, string>) => parseConfig(env, { cwd: '/tmp' })

  it('puts the development sign-in next to the port the server listens on, unless told', () => {
    const auth = parse({}).auth
    expect(devPortFor(auth, 3000)).toBe(3001)
    expect(devPortFor(auth, 0)).toBe(0) // --port 0: any free port for both
    expect(devPortFor(parse({ AUTH_DEV_PORT: '4100' }).auth, 3000)).toBe(4100)
  })

  it('takes AUTH_DISABLED with its stand-in, and refuses it beside AUTH_ISSUER', () => {
    // No subject unless given: the stand-in is then the pack's demo person (app/stand-in.ts).
    expect(parse({ AUTH_DISABLED: '1' }).auth.disabled).toEqual({
      sub: undefined,
      role: 'customer',
      allowNetwork: false,
    })
    expect(parse({ AUTH_DISABLED: '1', AUTH_DISABLED_SUB: 'me|1' }).auth.disabled?.sub).toBe('me|1')
    expect(parse({}).auth.disabled).toBeUndefined()
    expect(() => parse({ AUTH_DISABLED: 'true', AUTH_ISSUER: 'https://auth.example.com' })).toThrow(
      /AUTH_DISABLED: cannot be combined with AUTH_ISSUER/,
    )
  })
})
