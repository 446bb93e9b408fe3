import { describe, expect, it } from 'vitest'
import { newContent } from './new-content.ts'

/** Lines joined as a mail client writes them. */
const mail = (...lines: string[]) => lines.join('\r\n')

describe('newContent', () => {
  it('keeps the reply above a Gmail-style quote and leaves out the quote and the signature', () => {
    const text = mail(
      'The parcel has not arrived yet.',
      '',
      '-- ',
      'Jane Doe',
      'ACME Ltd',
      '',
      'On Mon, Dec 1, 2026 at 10:00 AM Help Desk <help@example.com> wrote:',
      '> Could you tell us when it was sent?',
      '> Thanks',
    )
    const result = newContent(text)
    expect(result.text).toBe('The parcel has not arrived yet.')
    expect(result.removedChars).toBe(text.replace(/\r/g, '').length - result.text.length)
  })

  it('leaves out a quote header broken over two lines', () => {
    const text = mail(
      'Thanks, that works.',
      '',
      'On Mon, Dec 1, 2026 at 10:00 AM A Help Desk With A Very Long Name <',
      'help@example.com> wrote:',
      '',
      '> Please try again.',
    )
    expect(newContent(text).text).toBe('Thanks, that works.')
  })

  it('keeps the answers written between quoted lines', () => {
    const text = mail('> Which colour?', 'Blue.', '', '> Which size?', 'Large.')
    expect(newContent(text).text).toBe('Blue.\nLarge.')
  })

  it('leaves out "Sent from my iPhone" and similar lines', () => {
    expect(newContent(mail('Yes please.', '', 'Sent from my iPhone')).text).toBe('Yes please.')
    expect(newContent(mail('Yes.', '', 'Get Outlook for Android')).text).toBe('Yes.')
  })

  it('leaves out an Outlook "Original Message" block below a blank line', () => {
    const text = mail(
      'My answer.',
      '',
      '-----Original Message-----',
      'From: Help Desk [mailto:help@example.com]',
      'Sent: Monday, December 1, 2026 10:00 AM',
      '',
      'Old text.',
    )
    expect(newContent(text).text).toBe('My answer.')
  })

  it('leaves out an Outlook "Original Message" block with no blank line above it', () => {
    const text = mail('My answer.', '-----Original Message-----', 'From: Help Desk', 'Old text.')
    expect(newContent(text).text).toBe('My answer.')
  })

  it('leaves out an Outlook "From: … Sent: …" block whose From names no address', () => {
    const text = mail(
      'My answer.',
      '',
      'From: Help Desk',
      'Sent: Monday, December 1, 2026 10:00 AM',
      'To: Jane Doe',
      'Subject: RE: Hello',
      '',
      'Old text.',
    )
    expect(newContent(text).text).toBe('My answer.')
  })

  it('leaves out a "From: address / Date:" block as a forwarding client writes it', () => {
    const text = mail('See below.', 'From: help@example.com', 'Date: Mon, 1 Dec 2026', '', 'Old.')
    expect(newContent(text).text).toBe('See below.')
  })

  it('keeps a "From:" line that no "Sent:" or "Date:" line follows', () => {
    const text = mail('From: the warehouse, nothing yet.', 'Still waiting.')
    expect(newContent(text)).toEqual({ text: text.replace(/\r/g, ''), removedChars: 0 })
  })

  it('keeps the whole text of a reply made only of the quote', () => {
    const text = mail('> Could you tell us when it was sent?', '> Thanks')
    expect(newContent(text)).toEqual({ text: text.replace(/\r/g, ''), removedChars: 0 })
  })

  it('keeps the text of a message made only of a signature line', () => {
    expect(newContent('Sent from my iPhone\n').text).toBe('Sent from my iPhone')
  })

  it('keeps a long message whole, across the windows the parser reads', () => {
    const paragraphs = Array.from(
      { length: 40 },
      (_, i) => `Paragraph ${i}: ${'words '.repeat(30)}`,
    )
    const text = `${paragraphs.join('\n\n')}\n\nOn Mon, Dec 1, 2026 Help <h@example.com> wrote:\n> old`
    expect(newContent(text).text).toBe(paragraphs.join('\n\n').replace(/ +$/gm, ''))
  })
})
