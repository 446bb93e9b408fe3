import { describe, expect, it } from 'vitest'
import { hostOriginCheck } from './host-origin.ts'

const request = (headers: Record<string, string>, url = 'http://127.0.0.1:3000/api/me') =>
  new Request(url, { headers })

describe('hostOriginCheck', () => {
  const check = hostOriginCheck({
    publicUrl: 'https://fte-demo.trycloudflare.com',
    corsOrigins: ['https://app.example.com'],
  })

  it('takes the loopback names and the public host, and refuses any other Host', () => {
    for (const host of [
      '127.0.0.1:3000',
      'localhost',
      '[::1]:3000',
      'fte-demo.trycloudflare.com',
    ]) {
      expect(check(request({ host })), host).toBeUndefined()
    }
    for (const host of [
      'attacker.example',
      '127.0.0.1.attacker.example',
      'fte-demo.trycloudflare.com.evil',
    ]) {
      expect(check(request({ host })), host).toMatch(/^Invalid Host/)
    }
  })

  it('takes a CORS origin exactly as listed, never its other ports, schemes or subdomains', () => {
    const from = (origin: string) => check(request({ host: '127.0.0.1:3000', origin }))
    expect(from('https://app.example.com')).toBeUndefined()
    for (const origin of [
      'https://app.example.com:8443',
      'http://app.example.com',
      'https://evil.app.example.com',
      'null',
    ]) {
      expect(from(origin), origin).toMatch(/^Invalid Origin/)
    }
  })

  it('reads the request URL when no Host header came with it', () => {
    expect(check(request({}, 'http://localhost/'))).toBeUndefined()
    expect(check(request({}, 'http://attacker.example/'))).toMatch(/^Invalid Host/)
  })

  it('refuses a CORS_ORIGINS entry that is not an origin when it is created', () => {
    expect(() =>
      hostOriginCheck({ publicUrl: 'http://127.0.0.1:3000', corsOrigins: ['app.example.com'] }),
    ).toThrow()
  })
})
