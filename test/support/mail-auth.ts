import { generateKeyPairSync } from 'node:crypto'
import { dkimSign } from 'mailauth'

/** A DKIM key of `domain`: the private key to sign with, the TXT record that publishes it. */
export function dkimKey(domain: string, selector: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const published = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    record: `v=DKIM1; k=rsa; p=${published}`,
  }
}
export type DkimKey = ReturnType<typeof dkimKey>

/** The DNS as node:dns answers: TXT records as arrays of strings, a missing name as ENOTFOUND. */
export function dns(records: Record<string, string>) {
  return async (name: string, rrtype: string) => {
    const record = records[`${name.toLowerCase()} ${rrtype}`]
    if (record !== undefined) return rrtype === 'TXT' ? [[record]] : [record]
    throw Object.assign(new Error(`query ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
  }
}

/** `text` with a DKIM signature of `key` on top. */
export async function signed(text: string, key: DkimKey): Promise<string> {
  const signature = {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKey,
  }
  // mailauth signs what signatureData lists; its types want the same fields at the top as well.
  const { signatures, errors } = await dkimSign(text, { ...signature, signatureData: [signature] })
  if (errors.length > 0) throw new Error(`DKIM signing failed: ${JSON.stringify(errors)}`)
  return signatures + text
}
