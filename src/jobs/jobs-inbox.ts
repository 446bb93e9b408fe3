import { z } from 'zod'
import { ConflictError } from '../lib/errors.ts'
import { defineAction, type InboxEntry, type InboxSource } from '../pack/staff-contract.ts'
import type { Queryable } from '../store/database.ts'
import { inboundEmails } from './email/inbound-emails.ts'
import { outbox } from './email/outbox.ts'
import { enqueueSend } from './email/queue-reply.ts'
import { jobAdmin } from './job-admin.ts'
import { jobRuns } from './job-runs.ts'

const owner = async (q: Queryable, conversationId: string | null): Promise<string | null> => {
  if (conversationId === null) return null
  const { rows } = await q.query<{ user_id: string }>(
    'SELECT user_id FROM conversations WHERE id = $1',
    [conversationId],
  )
  return rows[0]?.user_id ?? null
}

/** Replies the Worker drafted under an envelope that drafts (or past a limit): a person sends them. */
const drafts: InboxSource = {
  kind: 'draft',
  label: 'Replies to approve',
  async list(q) {
    const entries: InboxEntry[] = []
    for (const mail of await outbox.drafts(q)) {
      entries.push({
        key: mail.id,
        title: mail.subject,
        lines: [
          { label: 'To', value: mail.to },
          {
            label: 'Why a draft',
            value:
              mail.reason === 'envelope' || mail.reason === null
                ? 'replies from this trigger wait for approval'
                : mail.reason,
          },
          { label: 'Reply', value: mail.body.slice(0, 2000) },
        ],
        customer: await owner(q, mail.conversationId),
        conversationId: mail.conversationId,
        createdAt: mail.createdAt,
      })
    }
    return entries
  },
  actions: [
    defineAction({
      name: 'send',
      label: 'Send',
      fields: [
        { name: 'text', label: 'Reply (edit before sending)', type: 'text', required: false },
      ],
      input: z.strictObject({ text: z.string().trim().min(1).max(20_000).optional() }),
      async run(ctx, key, input) {
        const mail = await outbox.decide(ctx.tx, key, {
          send: true,
          by: ctx.identity.sub,
          body: input.text,
        })
        if (mail === undefined) throw new ConflictError('This draft was decided already.')
        await enqueueSend(ctx.tx, mail.id, 'email')
        await ctx.record({
          action: 'email_draft_decided',
          conversationId: mail.conversationId,
          target: `outbox:${mail.id}`,
          payload: { decision: 'send', edited: input.text !== undefined },
        })
        return { message: `The reply to ${mail.to} is on its way.`, done: true }
      },
    }),
    defineAction({
      name: 'discard',
      label: 'Discard',
      fields: [],
      input: z.strictObject({}),
      async run(ctx, key) {
        const mail = await outbox.decide(ctx.tx, key, { send: false, by: ctx.identity.sub })
        if (mail === undefined) throw new ConflictError('This draft was decided already.')
        await ctx.record({
          action: 'email_draft_decided',
          conversationId: mail.conversationId,
          target: `outbox:${mail.id}`,
          payload: { decision: 'discard' },
        })
        return { message: 'The draft was discarded; nothing was sent.', done: true }
      },
    }),
  ],
}

/** Jobs that stopped at the edge of their envelope, with the reason: a person takes them on. */
const handedOver: InboxSource = {
  kind: 'job',
  label: 'Jobs handed to a person',
  async list(q) {
    const entries: InboxEntry[] = []
    for (const run of await jobRuns.handedOver(q)) {
      // A person takes an email on from what it said: it may be all there is (no model, no reply).
      const email = run.about?.startsWith('email:')
        ? await inboundEmails.get(q, run.about.slice('email:'.length))
        : undefined
      entries.push({
        key: String(run.id),
        title: `Handed to a person (${run.trigger}): ${run.reason ?? 'see the conversation'}`,
        lines: [
          { label: 'Why', value: run.detail ?? run.reason ?? '' },
          ...(email === undefined
            ? []
            : [
                { label: 'From', value: email.fromAddress },
                { label: 'Subject', value: email.subject },
                { label: 'Email', value: email.body.slice(0, 2000) },
              ]),
        ],
        customer: await owner(q, run.conversationId),
        conversationId: run.conversationId,
        createdAt: run.startedAt,
      })
    }
    return entries
  },
  actions: [
    defineAction({
      name: 'resolve',
      label: 'Dealt with',
      fields: [],
      input: z.strictObject({}),
      async run(ctx, key) {
        if (!(await jobRuns.resolve(ctx.tx, Number(key), ctx.identity.sub))) {
          throw new ConflictError('Someone dealt with this job already.')
        }
        await ctx.record({ action: 'job_resolved', target: `run:${key}`, payload: {} })
        return { message: 'Marked as dealt with.', done: true }
      },
    }),
  ],
}

/** Jobs whose attempts ran out: tried again or cancelled by a person. */
const failed: InboxSource = {
  kind: 'failed_job',
  label: 'Failed jobs',
  async list(q) {
    // No server has created the queue yet: nothing can have failed.
    if (!(await jobAdmin.installed(q))) return []
    return (await jobAdmin.list(q, { failedOnly: true })).map((job) => ({
      key: String(job.id),
      title: `${job.task} failed after ${job.attempts} attempts`,
      lines: [
        { label: 'Trigger', value: job.trigger ?? '' },
        { label: 'Last error', value: job.lastError ?? '' },
      ],
      customer: null,
      conversationId: null,
      createdAt: job.createdAt,
    }))
  },
  actions: [
    defineAction({
      name: 'retry',
      label: 'Try again',
      fields: [],
      input: z.strictObject({}),
      async run(ctx, key) {
        if (!(await jobAdmin.retry(ctx.tx, Number(key))))
          throw new ConflictError('This job is not waiting any more.')
        await ctx.record({
          action: 'job_retried',
          target: `job:${key}`,
          payload: {},
        })
        return { message: 'The job will run again now.', done: true }
      },
    }),
    defineAction({
      name: 'cancel',
      label: 'Cancel',
      fields: [],
      input: z.strictObject({}),
      async run(ctx, key) {
        if (!(await jobAdmin.cancel(ctx.tx, Number(key))))
          throw new ConflictError('This job is not waiting any more.')
        await ctx.record({
          action: 'job_cancelled',
          target: `job:${key}`,
          payload: {},
        })
        return { message: 'The job was cancelled.', done: true }
      },
    }),
  ],
}

/** The jobs' kinds of the staff inbox: drafts to approve, jobs handed over, failed jobs. */
export const JOBS_INBOX: readonly InboxSource[] = [drafts, handedOver, failed]
