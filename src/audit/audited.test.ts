import { describe, expect, it } from 'vitest'
import { CallerError, SystemError } from '../lib/errors.ts'
import { audited, type InvocationRecord, recordOutcome } from './audited.ts'

const call = { capability: 'skill:triage', actor: 'worker:support', arguments: { path: 'a.md' } }

/** A recorder that keeps rows in memory; `fail` makes it refuse them. */
function memory(fail = false) {
  const rows: InvocationRecord[] = []
  const recorder = async (record: InvocationRecord) => {
    if (fail) throw new Error('the database is down')
    rows.push(record)
    return record.id ?? 'id'
  }
  return { rows, recorder }
}

/** A clock that moves 40 ms each time it is read. */
function ticking() {
  let t = 0
  return () => (t += 40)
}

describe('an audited call', () => {
  it('returns what the work returned and records it as its row keeps it, timed', async () => {
    const { rows, recorder } = memory()
    const value = await audited(recorder, call, async () => ({ text: 'secret', bytes: 6 }), {
      recordedResult: (read) => ({ bytes: read.bytes }),
      now: ticking(),
    })
    expect(value).toEqual({ text: 'secret', bytes: 6 })
    expect(rows).toEqual([
      expect.objectContaining({ ...call, status: 'ok', result: { bytes: 6 }, latencyMs: 40 }),
    ])
  })

  it('takes the status a result earns when told how', async () => {
    const { rows, recorder } = memory()
    await audited(recorder, call, async () => ({ exitCode: 3 }), {
      recordedResult: (run) => ({ exit_code: run.exitCode }),
      statusOf: (run) => (run.exitCode === 0 ? 'ok' : 'error'),
    })
    expect(rows.map((row) => row.status)).toEqual(['error'])
  })

  it("records a failure with its code and message and rethrows it; a time limit's as a timeout", async () => {
    const { rows, recorder } = memory()
    const fail = (error: Error) =>
      audited(recorder, call, () => Promise.reject(error), { recordedResult: () => null })
    await expect(fail(new CallerError('skill_path_refused', 'no such file'))).rejects.toThrow(
      'no such file',
    )
    await expect(fail(new SystemError('timeout', 'too slow'))).rejects.toThrow('too slow')
    await expect(fail(Object.assign(new Error('canceled'), { code: '57014' }))).rejects.toThrow()
    await expect(fail(new Error('x'.repeat(1000)))).rejects.toThrow()
    expect(rows.map(({ status, result }) => ({ status, result }))).toEqual([
      { status: 'error', result: { error: 'skill_path_refused', message: 'no such file' } },
      { status: 'timeout', result: { error: 'timeout', message: 'too slow' } },
      { status: 'timeout', result: { error: '57014', message: 'canceled' } },
      { status: 'error', result: { error: 'error', message: 'x'.repeat(300) } },
    ])
  })

  it('rethrows the original error when its row cannot be written either', async () => {
    const { recorder } = memory(true)
    await expect(
      audited(recorder, call, () => Promise.reject(new Error('the real cause')), {
        recordedResult: () => null,
      }),
    ).rejects.toThrow('the real cause')
  })

  it('fails when the row of a result cannot be written: nothing goes unrecorded', async () => {
    const { recorder } = memory(true)
    await expect(
      audited(recorder, call, async () => 'read', { recordedResult: (text) => text }),
    ).rejects.toThrow('the database is down')
  })

  it('leaves the row to work that writes its own, under the id it was given', async () => {
    const { rows, recorder } = memory()
    const own: InvocationRecord[] = []
    await audited<string>(
      recorder,
      call,
      async (underway) => {
        own.push(underway.row('done'))
        expect(own[0]?.id).toBe(underway.invocationId)
        return 'done'
      },
      { recordedResult: (text) => text, writesItsRow: true },
    )
    expect(rows).toEqual([])
    expect(own).toEqual([expect.objectContaining({ status: 'ok', result: 'done' })])
  })
})

describe('a known outcome', () => {
  it('is recorded as given, or from its error the way an audited call records one', async () => {
    const { rows, recorder } = memory()
    await recordOutcome(recorder, call, {
      status: 'timeout',
      result: { seen_by: 'worker' },
      latencyMs: 12,
    })
    await recordOutcome(recorder, call, {
      error: new CallerError('invalid_input', 'Invalid arguments: path: required'),
      latencyMs: 3,
    })
    expect(rows).toEqual([
      expect.objectContaining({ status: 'timeout', result: { seen_by: 'worker' }, latencyMs: 12 }),
      expect.objectContaining({
        status: 'error',
        result: { error: 'invalid_input', message: 'Invalid arguments: path: required' },
        latencyMs: 3,
      }),
    ])
  })
})
