import type { JobsConfig } from '../../config/sections/jobs.ts'
import { jobAdmin } from '../../jobs/job-admin.ts'
import { jobRuns } from '../../jobs/job-runs.ts'
import { errorMessage } from '../../lib/errors.ts'
import type { Database } from '../../store/database.ts'

/** The doctor's view of the Worker's own work: the queue, what waits for a person, email. Reads only. */
export async function checkJobs(
  db: Database,
  config: JobsConfig,
): Promise<{ ok: boolean; off?: true; finding?: true; detail: string; hint?: string }> {
  const email = [
    config.email.smtpUrl === undefined
      ? 'replies wait in the outbox (EMAIL_SMTP_URL unset)'
      : 'replies sent by SMTP',
    config.email.listen === undefined
      ? 'no SMTP listener'
      : `SMTP listener on port ${config.email.listen.port}`,
    `replies ${config.replies === 'draft' ? 'drafted for staff' : 'sent'} unless an envelope says`,
  ].join('; ')
  try {
    if (!(await jobAdmin.installed(db))) {
      return {
        ok: true,
        off: true,
        detail: `no job queue yet (a server creates it when it starts); ${email}`,
      }
    }
    const depth = await jobAdmin.depth(db)
    const handed = (await jobRuns.handedOver(db)).length
    const detail =
      `${depth.waiting} waiting${depth.waiting > 0 ? ` (oldest ${Math.round(depth.oldestSeconds)} s)` : ''}, ` +
      `${depth.failed} failed, ${handed} handed to a person; ${email}`
    return depth.failed > 0 || handed > 0
      ? {
          ok: true,
          finding: true,
          detail,
          hint: '`fte jobs` lists them; the staff inbox shows them too.',
        }
      : { ok: true, detail }
  } catch (error) {
    return { ok: false, detail: errorMessage(error), hint: 'The queue could not be read.' }
  }
}
