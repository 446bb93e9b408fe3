import { generateTraceId, withCustomSpan, withTrace } from '@openai/agents'
import { describe, expect, it } from 'vitest'
import { SpanRecorder } from './span-recorder.ts'

/** One trace with one ended span named `name`, run through the SDK's process-wide processors. */
async function traced(traceId: string, name: string): Promise<void> {
  await withTrace('a turn', () => withCustomSpan(async () => {}, { data: { name } }), { traceId })
}

describe('the span recorder', () => {
  it("keeps each Worker's spans apart: two recorders in one process see only their own traces", async () => {
    const first = new SpanRecorder()
    const second = new SpanRecorder()
    const mine = generateTraceId()
    const theirs = generateTraceId()
    first.expect(mine, '00000000-0000-4000-8000-000000000001')
    second.expect(theirs, '00000000-0000-4000-8000-000000000002')

    await traced(mine, 'first-span')
    await traced(theirs, 'second-span')
    await traced(generateTraceId(), 'nobody-expected-it')

    expect(first.take(theirs)).toEqual([])
    expect(second.take(mine)).toEqual([])
    expect(first.take(mine)).toMatchObject([
      {
        trace_id: mine,
        conversation_id: '00000000-0000-4000-8000-000000000001',
        kind: 'custom',
        name: 'first-span',
      },
    ])
    expect(second.take(theirs)).toMatchObject([
      {
        trace_id: theirs,
        conversation_id: '00000000-0000-4000-8000-000000000002',
        name: 'second-span',
      },
    ])
  })

  it('forgets a trace once taken: its later spans are dropped', async () => {
    const recorder = new SpanRecorder()
    const traceId = generateTraceId()
    recorder.expect(traceId, '00000000-0000-4000-8000-000000000003')
    await traced(traceId, 'during')
    expect(recorder.take(traceId)).toHaveLength(1)
    await traced(traceId, 'after')
    expect(recorder.take(traceId)).toEqual([])
  })
})
