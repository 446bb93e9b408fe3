import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readEnvironment } from './load-env.ts'

describe('readEnvironment', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fte-env-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('reads .env when present and lets the process environment win', () => {
    writeFileSync(join(dir, '.env'), 'PORT=4000\nHOST=0.0.0.0\n# a comment\nLOG_LEVEL="debug"\n')
    const env = readEnvironment(dir, { PORT: '5000' })
    expect(env.values.PORT).toBe('5000')
    expect(env.values.HOST).toBe('0.0.0.0')
    expect(env.values.LOG_LEVEL).toBe('debug')
    expect([...env.fromFile].sort()).toEqual(['HOST', 'LOG_LEVEL'])
  })

  it('uses the process environment alone when there is no .env', () => {
    expect(readEnvironment(dir, { PORT: '1' })).toEqual({
      values: { PORT: '1' },
      fromFile: new Set(),
    })
  })
})
