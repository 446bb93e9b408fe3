import { describe, expect, it } from 'vitest'
import { decodeMcpName, HEADER_MISMATCH, mcpNameMismatch } from './mcp-name.ts'

const b64 = (text: string) => `=?base64?${Buffer.from(text, 'utf8').toString('base64')}?=`

const post = (headers: Record<string, string>) =>
  new Request('http://127.0.0.1/mcp', { method: 'POST', headers })

describe('the Mcp-Name header', () => {
  it('names a tool as sent, or as the UTF-8 text of its base64 sentinel', () => {
    expect(decodeMcpName('domain_get_booking')).toBe('domain_get_booking')
    expect(decodeMcpName(b64('domain_get_booking'))).toBe('domain_get_booking')
    expect(decodeMcpName(b64('réserver'))).toBe('réserver')
    expect(decodeMcpName('=?base64??=')).toBe('')
  })

  it('names nothing when the sentinel holds non-canonical base64 or invalid UTF-8', () => {
    for (const bad of ['=?base64?YQ?=', '=?base64?YQ=?=', '=?base64?Y Q==?=', '=?base64?/w==?=']) {
      expect(decodeMcpName(bad), bad).toBeUndefined()
    }
  })

  it('lets a call through without the header, or with one that agrees, plain or encoded', () => {
    expect(mcpNameMismatch(post({}), 'health', 1)).toBeUndefined()
    expect(mcpNameMismatch(post({ 'mcp-name': 'health' }), 'health', 1)).toBeUndefined()
    expect(mcpNameMismatch(post({ 'Mcp-Name': ` ${b64('health')} ` }), 'health', 1)).toBeUndefined()
  })

  it('refuses a call whose header names another tool, or nothing, with 400 and -32020', async () => {
    for (const header of ['domain_book_room', 'Health', b64('domain_book_room'), '=?base64?YQ?=']) {
      const refused = mcpNameMismatch(post({ 'mcp-name': header }), 'health', 'call-7')
      expect(refused?.status, header).toBe(400)
      expect(await refused?.json(), header).toEqual({
        jsonrpc: '2.0',
        id: 'call-7',
        error: {
          code: HEADER_MISMATCH,
          message: expect.stringMatching(/^Bad Request: the request headers and body disagree: /),
          data: { mismatch: { header, body: 'health' } },
        },
      })
    }
    expect(HEADER_MISMATCH).toBe(-32020)
  })
})
