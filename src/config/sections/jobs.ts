import { resolve } from 'node:path'
import { z } from 'zod'
import { boolean, integer, optionalSetting, problem, setting } from '../settings.ts'

const secrets = optionalSetting(
  z
    .string()
    .transform((value) => value.split(',').map((secret) => secret.trim()))
    .refine((list) => list.every((secret) => secret.length >= 32), {
      error:
        'must be one or more secrets of at least 32 characters, separated by commas (value not shown)',
    }),
)

const address = z.email({ error: 'must be an email address' })

export const jobsSection = (cwd: string) =>
  z
    .object({
      JOBS: setting(boolean, true),
      JOBS_CONCURRENCY: setting(integer(1, 64), 2),
      JOBS_STALE_SECONDS: setting(integer(2, 3600), 30),
      JOBS_ENVELOPE_FILE: optionalSetting(z.string().min(1)),
      JOBS_REPLIES: setting(z.enum(['draft', 'send'], { error: 'must be draft or send' }), 'draft'),
      EMAIL_FROM: setting(address, 'worker@localhost'),
      EMAIL_FROM_NAME: optionalSetting(z.string().min(1).max(200)),
      EMAIL_SMTP_URL: optionalSetting(
        z.string().refine((value) => /^smtps?:\/\/[^/]+/.test(value), {
          error: 'must be an smtp:// or smtps:// URL (value not shown)',
        }),
      ),
      EMAIL_LISTEN_PORT: optionalSetting(integer(0, 65_535)),
      EMAIL_LISTEN_HOST: setting(z.string().min(1), '127.0.0.1'),
      EMAIL_INBOUND_SECRET: secrets,
      EMAIL_MAX_BYTES: setting(integer(1024, 100 * 1024 * 1024), 5 * 1024 * 1024),
      EMAIL_MAX_RECIPIENTS: setting(integer(1, 10_000), 50),
      WEBHOOK_SECRET: secrets,
      INBOUND_TOLERANCE_SECONDS: setting(integer(10, 86_400), 300),
    })
    .transform((e, ctx) => {
      if (e.EMAIL_LISTEN_PORT !== undefined && !e.JOBS) {
        problem(ctx, 'EMAIL_LISTEN_PORT', 'receives email for jobs: it needs JOBS on')
      }
      return {
        /** This process runs jobs (on the embedded database, only the one that holds it does). */
        run: e.JOBS,
        concurrency: e.JOBS_CONCURRENCY,
        /** After this long without a heartbeat, a process's running jobs go back to the queue. */
        staleAfterMs: e.JOBS_STALE_SECONDS * 1000,
        /** A YAML file of envelopes by trigger, over the pack's defaults. */
        envelopeFile:
          e.JOBS_ENVELOPE_FILE === undefined ? undefined : resolve(cwd, e.JOBS_ENVELOPE_FILE),
        /** What a trigger does with its replies unless its envelope says: staff approve drafts. */
        replies: e.JOBS_REPLIES,
        email: {
          from: {
            address: e.EMAIL_FROM,
            ...(e.EMAIL_FROM_NAME === undefined ? {} : { name: e.EMAIL_FROM_NAME }),
          },
          /** Outbound SMTP; unset: replies wait in the outbox (drafts still work). */
          smtpUrl: e.EMAIL_SMTP_URL,
          /** The built-in SMTP listener; off unless a port is given. */
          listen:
            e.EMAIL_LISTEN_PORT === undefined
              ? undefined
              : { host: e.EMAIL_LISTEN_HOST, port: e.EMAIL_LISTEN_PORT },
          inboundSecrets: e.EMAIL_INBOUND_SECRET,
          maxBytes: e.EMAIL_MAX_BYTES,
          maxRecipients: e.EMAIL_MAX_RECIPIENTS,
        },
        webhookSecrets: e.WEBHOOK_SECRET,
        /** How old a signed request may be (and how long its digest is kept against replays). */
        toleranceSeconds: e.INBOUND_TOLERANCE_SECONDS,
      }
    })

export type JobsConfig = z.output<ReturnType<typeof jobsSection>>
