import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readEnvironment } from './load-env.ts'

describe('readEnvironment', () => {
  it('reads .env when present and lets the process environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fte-env-'))
    writeFileSync(join(dir, '.env'), 'PORT=4000\nHOST=0.0.0.0\n# a comment\nLOG_LEVEL="debug"\n')
    const env = readEnvironment(dir, { PORT: '5000' })
    expect(env.PORT).toBe('5000')
    expect(env.HOST).toBe('0.0.0.0')
    expect(env.LOG_LEVEL).toBe('debug')
  })

  it('uses the process environment alone when there is no .env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fte-env-'))
    expect(readEnvironment(dir, { PORT: '1' })).toEqual({ PORT: '1' })
  })
})
