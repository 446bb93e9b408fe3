import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReplyReceiver {
  url: string
  /** Resolves with the time (performance.now()) the reply to `messageId` was fully received. */
  replyTo(messageId: string): Promise<{ at: number; raw: string }>
  close(): Promise<void>
}

/**
 * A receiving SMTP server on loopback that notes when each reply's last byte arrived, before it
 * parses anything: the time a customer's mailbox would have it. Replies are matched to the email
 * they answer by their In-Reply-To header.
 */
export async function startReplyReceiver(): Promise<ReplyReceiver> {
  const waiting = new Map<string, (reply: { at: number; raw: string }) => void>()
  const arrived = new Map<string, { at: number; raw: string }>()
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const at = performance.now()
        const raw = Buffer.concat(chunks).toString('utf8')
        const answered = /^In-Reply-To:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? ''
        const reply = { at, raw }
        const wake = waiting.get(answered)
        if (wake === undefined) arrived.set(answered, reply)
        else wake(reply)
        callback()
      })
    },
  })
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    replyTo(messageId) {
      const already = arrived.get(messageId)
      if (already !== undefined) return Promise.resolve(already)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${messageId}`)), 60_000)
        waiting.set(messageId, (reply) => {
          clearTimeout(timer)
          waiting.delete(messageId)
          resolve(reply)
        })
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
