import { createHash } from 'node:crypto'
import { findPhoneNumbersInText } from 'libphonenumber-js/min'
import { luhn } from '../lib/luhn.ts'

/**
 * What the audit trail keeps of a value it must not hold in clear: enough to match (the same
 * value always gives the same digest), not to read.
 */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16)
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g
// 13 to 19 digits, in groups separated by single spaces or dashes, standing on their own: the
// shape of a card number.
const CARD = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g
// A run that could be a phone number: seven digits or more, with the separators people write,
// standing on its own (not a piece of an id such as a UUID's last group).
const PHONE_CANDIDATE = /(?<![\w-])\+?\(?\d[\d ().-]{5,}\d(?![\w-])/g
const HAS_DIGIT_RUN = /\d[\d ().+-]{5,}\d/
/** National numbers are read as this country's; numbers written with + are found wherever from. */
const DEFAULT_COUNTRY = 'US'

/**
 * `text` with every email address, card-like number (passing the Luhn check) and phone number
 * replaced by a digest of its normalised form (`[email:…]`, `[card:…]`, `[phone:…]`), wherever it
 * appears in the text: an investigator can still tell that the same address came back, and
 * search for a known one by its digest. The phone finder is a maintained implementation of the
 * numbering plans (libphonenumber); it only sees the short runs of digits that could be one.
 */
export function redactPersonalData(text: string): string {
  let out = text.includes('@')
    ? text.replace(EMAIL, (email) => `[email:${digest(email.toLowerCase())}]`)
    : text
  if (!HAS_DIGIT_RUN.test(out)) return out
  out = out.replace(CARD, (run) => {
    const digits = run.replace(/\D/g, '')
    return luhn(digits) ? `[card:${digest(digits)}]` : run
  })
  return out.replace(PHONE_CANDIDATE, (run) => {
    let replaced = run
    for (const found of findPhoneNumbersInText(run, {
      defaultCountry: DEFAULT_COUNTRY,
    }).reverse()) {
      replaced =
        replaced.slice(0, found.startsAt) +
        `[phone:${digest(found.number.number)}]` +
        replaced.slice(found.endsAt)
    }
    return replaced
  })
}
