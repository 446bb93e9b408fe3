import { Resolver } from 'node:dns/promises'
import { authenticate, type DNSResolver } from 'mailauth'

/**
 * What the DNS said about a message's sender, in mailauth's result words (`pass`, `fail`, `none`,
 * `neutral`, `temperror`, `permerror`, `policy`, `softfail`).
 */
export interface SenderVerdict {
  /** `pass` when any DKIM signature verifies (of whatever domain), else the first one's word. */
  dkim: string
  spf: string
  dmarc: string
  /** True only when DMARC passes: the From domain is vouched for by an aligned SPF or DKIM pass. */
  aligned: boolean
  /** The From domain DMARC judged; null when there is not exactly one. */
  domain: string | null
}

export interface SenderCheck {
  /** The connecting client's address; without one SPF cannot be checked (mailauth: `temperror`). */
  ip: string | null
  helo: string | null
  /** The SMTP envelope sender (MAIL FROM); mailauth falls back to Return-Path. */
  mailFrom: string | null
  /** This server's host name, the verdict's authserv-id: in strict mode anything else throws. */
  mta: string
  /**
   * Answers DNS questions as `node:dns` `resolve(name, rrtype)` does, failing with its error codes
   * (`ENOTFOUND`, `ENODATA`: no record; any other: a temporary failure). Defaults to the system's
   * DNS with a time limit per question.
   */
  resolver?: (name: string, rrtype: string) => Promise<unknown>
}

/** A DNS question gets 3 s, and one retry: a check asks a few dozen at most (SPF caps at 10). */
const systemDns = new Resolver({ timeout: 3_000, tries: 2 })

/**
 * DKIM, SPF and DMARC of an inbound message, with `mailauth`, to be recorded with it. A DNS
 * failure never throws: mailauth reports it as `temperror` (`none` where the name does not exist).
 * Strict mode follows the RFCs: a body altered after signing is `fail`, not lenient `neutral`,
 * and a weak (rsa-sha1) signature does not count.
 */
export async function checkSender(raw: Buffer, how: SenderCheck): Promise<SenderVerdict> {
  const resolve = how.resolver ?? ((name, rrtype) => systemDns.resolve(name, rrtype))
  const result = await authenticate(raw, {
    mta: how.mta,
    strict: true,
    // mailauth reads each record type in node:dns's shape; its type names only TXT's.
    resolver: resolve as DNSResolver,
    // Logos are no part of trust, and their lookups would only cost time.
    disableBimi: true,
    ...(how.ip === null ? {} : { ip: how.ip }),
    ...(how.helo === null ? {} : { helo: how.helo }),
    ...(how.mailFrom === null ? {} : { sender: how.mailFrom }),
  })
  const signatures = result.dkim.results.map((r) => r.status.result)
  // mailauth gives `false` where DMARC was not evaluated (no From domain, or several).
  const dmarc = result.dmarc || undefined
  return {
    dkim: signatures.includes('pass') ? 'pass' : (signatures[0] ?? 'none'),
    spf: result.spf ? result.spf.status.result : 'none',
    dmarc: dmarc?.status.result ?? 'none',
    aligned: dmarc?.status.result === 'pass',
    domain: dmarc?.status.header?.from || null,
  }
}
