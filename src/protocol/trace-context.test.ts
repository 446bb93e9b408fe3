import { generateSpanId, generateTraceId } from '@openai/agents'
import { describe, expect, it } from 'vitest'
import {
  formatTraceparent,
  fromAgentsSdk,
  parseTraceparent,
  traceContextOf,
  traceMeta,
  w3cTraceId,
} from './trace-context.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const VALID = `00-${TRACE}-${SPAN}-01`

describe('traceparent', () => {
  it('reads the W3C example into its trace id, parent id and flags, and writes it back', () => {
    const parsed = parseTraceparent(VALID)
    expect(parsed).toEqual({ traceId: TRACE, parentId: SPAN, flags: '01' })
    expect(formatTraceparent(parsed as NonNullable<typeof parsed>)).toBe(VALID)
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.flags).toBe('00')
  })

  it.each([
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['an uppercase version', `0A-${TRACE}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['a long parent id', `00-${TRACE}-${SPAN}0-01`],
    ['one-digit flags', `00-${TRACE}-${SPAN}-1`],
    ['a field missing', `00-${TRACE}-${SPAN}`],
    ['version 00 with more fields', `00-${TRACE}-${SPAN}-01-cafe`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['a later version followed by no dash', `01-${TRACE}-${SPAN}-01cafe`],
    ['spaces around it', ` ${VALID} `],
    ['the old io.digital-fte/trace form', 'trace_4bf92f3577b34da6a3ce929d0e0e4736/span_1'],
    ['garbage', 'not a trace'],
    ['an empty string', ''],
    ['a number', 42],
    ['nothing', undefined],
  ])('ignores %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined()
  })

  it('reads a later version by its first four fields, whatever follows them', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01`)).toEqual({
      traceId: TRACE,
      parentId: SPAN,
      flags: '01',
    })
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-09-what-the-future-holds`)).toEqual({
      traceId: TRACE,
      parentId: SPAN,
      flags: '09',
    })
  })
})

describe("a request's _meta", () => {
  it('carries traceparent and tracestate under their SEP-414 keys, both ways', () => {
    const context = {
      traceId: TRACE,
      parentId: SPAN,
      flags: '01',
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    }
    const meta = traceMeta(context)
    expect(meta).toEqual({
      traceparent: VALID,
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    })
    expect(traceContextOf(meta)).toEqual(context)
    expect(traceMeta(undefined)).toEqual({})
  })

  it('keeps a tracestate only beside a valid traceparent, and only when it is a list of members', () => {
    expect(traceContextOf({ tracestate: 'rojo=1' })).toBeUndefined()
    expect(traceContextOf({ traceparent: 'nonsense', tracestate: 'rojo=1' })).toBeUndefined()
    expect(traceContextOf({ traceparent: VALID, tracestate: ' rojo=1 ,, congo=2' })).toEqual({
      traceId: TRACE,
      parentId: SPAN,
      flags: '01',
      tracestate: 'rojo=1,congo=2',
    })
    for (const tracestate of ['no equals sign', 'Upper=1', 'a=1'.padEnd(600, 'x'), 7, ',']) {
      expect(traceContextOf({ traceparent: VALID, tracestate }), String(tracestate)).toEqual({
        traceId: TRACE,
        parentId: SPAN,
        flags: '01',
      })
    }
    const tooMany = Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')
    expect(traceContextOf({ traceparent: VALID, tracestate: tooMany })?.tracestate).toBeUndefined()
  })
})

describe('the Agents SDK ids', () => {
  it("map to W3C: the trace's 32 hex digits, and the first 16 of the span's 24", () => {
    const traceId = generateTraceId()
    const spanId = generateSpanId()
    const context = fromAgentsSdk(traceId, spanId)
    expect(context).toEqual({
      traceId: traceId.slice('trace_'.length),
      parentId: spanId.slice('span_'.length, 'span_'.length + 16),
      flags: '01',
    })
    // What agent_spans keeps is found again from what the gateway recorded.
    expect(`trace_${context?.traceId}`).toBe(traceId)
    expect(spanId.startsWith(`span_${context?.parentId}`)).toBe(true)
    expect(parseTraceparent(traceMeta(context).traceparent)).toEqual(context)
    expect(w3cTraceId(traceId)).toBe(context?.traceId)
  })

  it('map to nothing when either is not the SDK kind (tracing off gives "no-op")', () => {
    expect(fromAgentsSdk('no-op', 'no-op')).toBeUndefined()
    expect(fromAgentsSdk(generateTraceId(), undefined)).toBeUndefined()
    expect(fromAgentsSdk(undefined, generateSpanId())).toBeUndefined()
    expect(fromAgentsSdk(`trace_${'0'.repeat(32)}`, generateSpanId())).toBeUndefined()
    expect(w3cTraceId('trace_1')).toBeUndefined()
    expect(w3cTraceId(undefined)).toBeUndefined()
  })
})
