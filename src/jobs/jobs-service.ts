import { hostname } from 'node:os'
import type { JobsConfig } from '../config/sections/jobs.ts'
import { errorMessage } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { JobsPack } from '../pack/jobs-contract.ts'
import type { ToolDefinition } from '../pack/tool-definition.ts'
import type { Database, Queryable } from '../store/database.ts'
import { auditedTask } from './audited-task.ts'
import { type AnswerDeps, answerEmail } from './email/answer-email.ts'
import { outbox } from './email/outbox.ts'
import { enqueueSend, SEND_EMAIL } from './email/queue-reply.ts'
import { ANSWER_EMAIL, type Arrival, receiveEmail, recordRefusal } from './email/receive-email.ts'
import { sendEmail } from './email/send-email.ts'
import { listenSmtp, type SmtpListener } from './email/smtp-listener.ts'
import { createSmtpSender, type SmtpSender } from './email/smtp-sender.ts'
import { type Envelope, type EnvelopeOverride, envelopeFor, readingOnly } from './envelope.ts'
import { inboundReceipts } from './inbound/receipts.ts'
import { type JobEngine, type JobTask, startJobEngine } from './job-engine.ts'
import { installQueue } from './job-queue.ts'
import type { TurnRunner } from './job-turn.ts'
import { DO_WORK, doWork } from './record-work.ts'
import { RUN_SCHEDULE, runSchedule, scheduleTrigger } from './triggers/run-schedule.ts'
import { receiveWebhook, runWebhookEvent, WEBHOOK_EVENT } from './triggers/webhook-event.ts'

/** How often a process the embedded database is served to looks whether it holds it now. */
const TAKE_OVER_CHECK_MS = 2000

export interface JobsOptions {
  db: Database
  logger: Logger
  config: JobsConfig
  pack: JobsPack | undefined
  /** The gateway's tools (a job's scopes are what its envelope's tools need). */
  tools: readonly ToolDefinition[]
  runTurn: TurnRunner | undefined
  /** The longest message the Worker accepts (WORKER_MAX_INPUT_CHARS). */
  maxMessageChars: number
  /** The envelope file's overrides (JOBS_ENVELOPE_FILE), read at start-up. */
  envelopes: Readonly<Record<string, EnvelopeOverride>>
  /** DNS for sender authentication; unset: the system's. */
  resolver?: ((name: string, rrtype: string) => Promise<unknown>) | undefined
  /** Engine timings (tests shorten them). */
  engine?: { heartbeatMs?: number; staleAfterMs?: number; pollMs?: number }
}

/** The Worker's own work in this process: the doors emails and events come in by, and the runner. */
export interface Jobs {
  receiveEmail(
    raw: Buffer,
    arrival: Arrival,
    accepted?: (tx: Queryable) => Promise<void>,
  ): Promise<{ id: string; duplicate: boolean }>
  receiveWebhook(
    event: { kind: string; id: string; data: Record<string, unknown> },
    accepted?: (tx: Queryable) => Promise<void>,
  ): Promise<{ id: string; duplicate: boolean }>
  refused(route: 'email' | 'webhook', reason: string, detail?: string): Promise<void>
  envelope(trigger: string): Envelope | undefined
  /** The built-in SMTP listener's port, when it runs. */
  smtpPort: number | undefined
  /** Whether this process runs jobs (on the embedded database only its holder does). */
  running: boolean
  close(): Promise<void>
}

/**
 * Starts the Worker's own work: the queue's tables, the runner (unless JOBS is off, or another
 * process holds the embedded database), the outbound sender, and the SMTP listener when asked.
 */
export async function startJobs(options: JobsOptions): Promise<Jobs> {
  const { db, logger, config, pack } = options
  const closers: Array<() => Promise<unknown>> = []
  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      for (const closer of [...closers].reverse()) await closer().catch(() => {})
    })()
    return closing
  }
  try {
    await installQueue(db, logger)
    const declared = (trigger: string) =>
      envelopeFor(trigger, {
        pack: pack?.envelopes ?? {},
        file: options.envelopes,
        replies: config.replies,
      })
    const envelope = (trigger: string) => {
      const found = declared(trigger)
      return found === undefined || trigger !== 'email'
        ? found
        : readingOnly(found, options.tools).envelope
    }
    const emailEnvelope = declared('email')
    const removed =
      emailEnvelope === undefined ? [] : readingOnly(emailEnvelope, options.tools).removed
    if (removed.length > 0) {
      logger.warn(
        { tools: removed },
        'email jobs may only read (an email proves nothing about its sender): these tools of their envelope are left out',
      )
    }
    let sender: SmtpSender | undefined
    if (config.email.smtpUrl !== undefined) {
      sender = createSmtpSender({ url: config.email.smtpUrl, from: config.email.from })
      const opened = sender
      closers.push(async () => opened.close())
    }
    const deps: AnswerDeps = {
      db,
      pack,
      envelope,
      tools: options.tools,
      runTurn: options.runTurn,
      maxMessageChars: options.maxMessageChars,
      from: config.email.from,
      sending: sender !== undefined,
    }
    const trigger = (payload: unknown) =>
      String((payload as { trigger?: unknown } | null)?.trigger ?? 'unknown')
    const audited = (body: Parameters<typeof auditedTask>[3], named = trigger): JobTask =>
      auditedTask(db, logger, named, body)
    let engine: JobEngine | undefined
    const startEngine = async () => {
      const tasks: Record<string, JobTask> = {
        [ANSWER_EMAIL]: audited((payload, run) => answerEmail(deps, payload, run)),
        [SEND_EMAIL]: audited(async (payload, run) => {
          if (sender === undefined) throw new Error('EMAIL_SMTP_URL is not set: the reply waits')
          return sendEmail(db, sender, payload, run)
        }),
        [WEBHOOK_EVENT]: audited((payload, run) => runWebhookEvent(deps, payload, run)),
        [DO_WORK]: audited((payload, run) => doWork(deps, payload, run)),
        [RUN_SCHEDULE]: audited(
          (payload, run) => runSchedule(db, pack, payload, run),
          scheduleTrigger,
        ),
      }
      const started = await startJobEngine({
        db,
        tasks,
        schedules: (pack?.schedules ?? []).map((s) => ({
          name: s.name,
          cron: s.cron,
          task: RUN_SCHEDULE,
        })),
        concurrency: config.concurrency,
        logger,
        staleAfterMs: config.staleAfterMs,
        heartbeatMs: Math.max(500, Math.floor(config.staleAfterMs / 6)),
        ...options.engine,
      })
      engine = started
      closers.push(() => started.stop())
      if (sender !== undefined) {
        // Replies queued while no sender was configured, or whose job was lost: sent now.
        for (const id of await outbox.queued(db)) {
          await db.transaction((tx) => enqueueSend(tx, id, 'email'))
        }
      } else {
        logger.info('EMAIL_SMTP_URL is not set: email replies wait in the outbox until it is')
      }
    }
    if (!config.run) {
      logger.info('JOBS is off: this process runs no jobs')
    } else if (db.holds !== false) {
      await startEngine()
    } else {
      logger.info('jobs run in the process that holds the embedded database')
      // Should that process go away and this one take the folder over, the jobs are this one's.
      const watch = setInterval(() => {
        if (db.holds !== true || engine !== undefined || closing !== undefined) return
        clearInterval(watch)
        logger.info('this process holds the embedded database now: it runs the jobs')
        startEngine().catch((error: unknown) =>
          logger.error({ err: errorMessage(error) }, 'the job runner could not start'),
        )
      }, TAKE_OVER_CHECK_MS)
      watch.unref()
      closers.push(async () => clearInterval(watch))
    }
    // A signed request older than the tolerance is refused as stale: its receipt can go after
    // twice that (its timestamp may have been that far ahead of our clock).
    const forget = setInterval(() => {
      const cutoff = new Date(Date.now() - (2 * config.toleranceSeconds + 60) * 1000)
      inboundReceipts
        .forgetBefore(db, cutoff)
        .catch((error: unknown) =>
          logger.warn({ err: errorMessage(error) }, 'old inbound receipts could not be removed'),
        )
    }, 60_000)
    forget.unref()
    closers.push(async () => clearInterval(forget))
    const door = {
      db,
      pack,
      limits: { maxBytes: config.email.maxBytes, maxRecipients: config.email.maxRecipients },
      mta: hostname(),
      resolver: options.resolver,
    }
    let listener: SmtpListener | undefined
    if (config.email.listen !== undefined) {
      listener = await listenSmtp({
        host: config.email.listen.host,
        port: config.email.listen.port,
        maxBytes: config.email.maxBytes,
        maxRecipients: config.email.maxRecipients,
        logger,
        accept: async (raw, envelope) => {
          await receiveEmail(door, raw, {
            via: 'smtp',
            mailFrom: envelope.mailFrom,
            remoteIp: envelope.remoteIp,
            helo: envelope.helo,
          })
        },
        onRefused: (reason, detail) => {
          recordRefusal(db, 'email', reason, detail).catch((error: unknown) =>
            logger.warn({ err: errorMessage(error) }, 'a refused email could not be recorded'),
          )
        },
      })
      const opened = listener
      closers.push(() => opened.close())
      logger.info({ port: listener.port }, 'receiving email over SMTP')
    }
    return {
      receiveEmail: (raw, arrival, accepted) => receiveEmail(door, raw, arrival, accepted),
      receiveWebhook: (event, accepted) => receiveWebhook(db, pack, event, accepted),
      refused: (route, reason, detail) => recordRefusal(db, route, reason, detail),
      envelope,
      smtpPort: listener?.port,
      get running() {
        return engine !== undefined
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
