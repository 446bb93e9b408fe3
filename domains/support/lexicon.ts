import type { Lexicon } from '../../src/embedding/lexicon.ts'

/**
 * Word groups that mean the same thing in customer-service English, so the local embedder can
 * match "money back" with "refund" or "parcel" with "package". Changing a group changes the
 * vectors: give the lexicon a new name (`support-v2`) when you do.
 */
export const supportLexicon: Lexicon = {
  name: 'support-v1',
  // Before packs declared their lexicons this table was built into the core's local model, whose
  // name was this; the vectors are the same, so a corpus stored under it is renamed, not re-embedded.
  earlierModelNames: ['fte-local-lexical-v1'],
  // biome-ignore format: a group a line reads as the table it is
  groups: [
    ['refund', 'reimbursement', 'reimburse', 'money back', 'repayment', 'chargeback'],
    ['charge', 'charged', 'billed', 'bill', 'debited', 'debit', 'payment', 'paid', 'pay'],
    ['twice', 'double', 'duplicate', 'two times', 'again'],
    ['package', 'parcel', 'shipment', 'delivery', 'box'],
    ['late', 'delayed', 'delay', 'overdue', 'slow', 'still waiting', 'not arrived', 'never arrived'],
    ['tracking', 'track', 'tracker', 'trace'],
    ['broken', 'damaged', 'cracked', 'smashed', 'dented', 'defective', 'faulty', 'shattered'],
    ['wrong', 'incorrect', 'different', 'mistaken', 'not what i ordered'],
    ['missing', 'lost', 'absent', 'left out', 'not included'],
    ['cancel', 'cancellation', 'cancelled', 'stop the order', 'call off'],
    ['address', 'location', 'shipping address', 'delivery address'],
    ['login', 'log in', 'sign in', 'signin', 'logon', 'access my account', 'locked out'],
    ['email', 'e-mail', 'mail address', 'email address'],
    ['password', 'passcode', 'credentials'],
    ['two factor', '2fa', 'two-step', 'authenticator', 'verification code', 'one-time code', 'mfa'],
    ['phone', 'mobile', 'cell', 'handset', 'smartphone'],
    ['delete', 'remove', 'erase', 'close my account', 'gdpr', 'forget me'],
    ['invoice', 'receipt', 'vat', 'tax document', 'billing document'],
    ['subscription', 'plan', 'membership', 'renewal', 'auto-renew', 'recurring'],
    ['coupon', 'promo', 'promo code', 'discount', 'voucher', 'code'],
    ['declined', 'rejected', 'refused', 'failed', 'did not go through', "didn't go through"],
    ['card', 'credit card', 'debit card', 'visa', 'mastercard', 'amex'],
    ['bank', 'statement', 'account statement', 'bank account'],
    ['customs', 'import duty', 'duties', 'import fee', 'border'],
    ['return', 'send back', 'sent back', 'returned'],
    ['replacement', 'replace', 'exchange', 'new one', 'swap'],
    ['human', 'person', 'real person', 'agent', 'manager', 'someone'],
    ['upgrade', 'downgrade', 'change plan', 'switch plan'],
  ],
}
