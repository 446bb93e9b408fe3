import { describe, expect, it } from 'vitest'
import { DatabaseUnavailableError } from '../lib/errors.ts'
import { openPostgres, postgresClientConfig } from './postgres-database.ts'

const NEON =
  'postgresql://neondb_owner:npg_Secret123@ep-cool-hill-a5b6c7d8.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require'

describe('postgresClientConfig', () => {
  it('accepts a Neon connection string: TLS verified, channel binding on', () => {
    const notices: string[] = []
    const config = postgresClientConfig(NEON, (n) => notices.push(n))
    expect(config).toMatchObject({
      host: 'ep-cool-hill-a5b6c7d8.eu-central-1.aws.neon.tech',
      database: 'neondb',
      user: 'neondb_owner',
      password: 'npg_Secret123',
      enableChannelBinding: true,
    })
    expect(config.ssl).toBeTruthy()
    expect(config.ssl).not.toMatchObject({ rejectUnauthorized: false })
    expect(notices).toEqual([
      'sslmode=require: the server certificate and host name are verified (as sslmode=verify-full)',
    ])
    expect(notices.join()).not.toContain('npg_Secret123')
  })

  it('leaves TLS off and channel binding off for a plain local URL', () => {
    const config = postgresClientConfig('postgres://app:pw@127.0.0.1:5432/app')
    expect(config.ssl).toBeFalsy()
    expect(config.enableChannelBinding).toBe(false)
  })
})

describe('openPostgres', () => {
  it('fails with a clear message, without the password, when nothing listens', async () => {
    const error = await openPostgres({ url: 'postgres://app:hunter2@127.0.0.1:1/app' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(DatabaseUnavailableError)
    const message = (error as Error).message
    expect(message).toContain('postgres://app:***@127.0.0.1:1/app')
    expect(message).toContain('connection refused')
    expect(message).not.toContain('hunter2')
  })
})
