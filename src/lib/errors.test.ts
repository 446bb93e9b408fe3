import { describe, expect, it } from 'vitest'
import {
  CallerError,
  ConfigError,
  ConflictError,
  DatabaseUnavailableError,
  InternalError,
  InvalidInputError,
  NotFoundError,
  SystemError,
} from './errors.ts'

describe('the error family', () => {
  it('says whose fault an error is by its class, whatever its code', () => {
    expect(new CallerError('port_in_use', 'taken').fault).toBe('caller')
    expect(new InvalidInputError('bad').fault).toBe('caller')
    expect(new NotFoundError('none').fault).toBe('caller')
    expect(new ConflictError('taken').fault).toBe('caller')
    expect(new ConfigError('unset').fault).toBe('caller')
    expect(new SystemError('timeout', 'slow').fault).toBe('system')
    expect(new DatabaseUnavailableError('down').fault).toBe('system')
    expect(new InternalError('invalid_input', 'a bug').fault).toBe('internal')
  })

  it('gives each specific class its stable code and its own name', () => {
    const error = new NotFoundError('There is no such thing.')
    expect(error).toMatchObject({ code: 'not_found', name: 'NotFoundError' })
    expect(error.message).toBe('There is no such thing.')
    expect(new InvalidInputError('bad').code).toBe('invalid_input')
    expect(new ConflictError('taken').code).toBe('conflict')
    expect(new DatabaseUnavailableError('down').code).toBe('database_unavailable')
  })

  it('keeps a cause only when there is one', () => {
    const cause = new Error('ECONNREFUSED')
    expect(new SystemError('unavailable', 'down', { cause }).cause).toBe(cause)
    expect('cause' in new SystemError('unavailable', 'down')).toBe(false)
  })

  it('lists every configuration problem, one line each', () => {
    const error = ConfigError.listing(['PORT: not a number', 'HOST: empty'])
    expect(error.code).toBe('config_invalid')
    expect(error.problems).toEqual(['PORT: not a number', 'HOST: empty'])
    expect(error.message).toBe('Invalid configuration:\n  - PORT: not a number\n  - HOST: empty')
    expect(new ConfigError('AUTH_ISSUER has no key set').problems).toEqual([
      'AUTH_ISSUER has no key set',
    ])
  })
})
