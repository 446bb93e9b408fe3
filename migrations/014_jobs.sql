-- The Worker's own work (src/jobs/): jobs woken by email, webhooks and schedules, each run under an
-- envelope of authority, and email in and out. The queue itself is graphile-worker's (its schema
-- `graphile_worker`, created by its own migrations when a job engine first starts); these tables
-- are what this project keeps beside it.

-- Processes running jobs, and when each last said it was alive. A job locked by a process that
-- stopped saying so (killed, frozen, cut off) is handed back to the queue by the others.
CREATE TABLE job_engines (
  pool_id    TEXT PRIMARY KEY CHECK (length(pool_id) BETWEEN 1 AND 200),
  pid        INT NOT NULL,
  host       TEXT NOT NULL CHECK (length(host) <= 255),
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  seen_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Each run of a job (an attempt): what woke it, how far it went, and how it ended. The queue
-- forgets a job once it succeeds; this is its history, and what a day's budget is counted from.
CREATE TABLE job_runs (
  id              BIGSERIAL PRIMARY KEY,
  -- graphile-worker's job id, and the attempt (1 for the first run)
  job_id          BIGINT NOT NULL,
  attempt         INT NOT NULL CHECK (attempt >= 1),
  task            TEXT NOT NULL CHECK (task ~ '^[a-z][a-z0-9_:.-]*$'),
  -- the trigger whose envelope it ran under ('email', 'webhook:<kind>', 'schedule:<name>')
  trigger         TEXT NOT NULL CHECK (length(trigger) BETWEEN 1 AND 200),
  started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at     TIMESTAMPTZ,
  status          TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'done', 'failed', 'handed_over')),
  -- why it failed or was handed to a person (a stable code), and in words
  reason          TEXT CHECK (reason ~ '^[a-z][a-z0-9_]*$'),
  detail          TEXT CHECK (length(detail) <= 2000),
  conversation_id UUID REFERENCES conversations (id) ON DELETE SET NULL,
  -- what it worked on: 'email:<inbound email id>', a webhook event's or a finding's key
  about           TEXT CHECK (length(about) <= 400),
  input_tokens    INT NOT NULL DEFAULT 0,
  output_tokens   INT NOT NULL DEFAULT 0,
  cost_usd        NUMERIC(14, 6) NOT NULL DEFAULT 0,
  -- what an admitted run may still spend: counted against the day's budget while it runs
  reserved_tokens INT NOT NULL DEFAULT 0,
  steps           INT NOT NULL DEFAULT 0,
  -- a run handed to a person stays in the staff inbox until someone deals with it
  resolved_by     TEXT,
  resolved_at     TIMESTAMPTZ,
  CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX job_runs_trigger_day ON job_runs (trigger, started_at);
CREATE INDEX job_runs_job ON job_runs (job_id, attempt);
CREATE INDEX job_runs_handed_over ON job_runs (started_at)
  WHERE status = 'handed_over' AND resolved_at IS NULL;

-- Each email received, once (by its Message-ID: a re-delivery is recognised and dropped), with the
-- sender's authentication verdict. An email's From proves nothing: `record` is the pack's record
-- the address matched, which the job acts for and whose own address its reply goes to.
CREATE TABLE inbound_emails (
  id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id         TEXT NOT NULL UNIQUE CHECK (length(message_id) BETWEEN 3 AND 998),
  via                TEXT NOT NULL CHECK (via IN ('smtp', 'http')),
  from_address       TEXT NOT NULL CHECK (length(from_address) <= 320),
  from_name          TEXT CHECK (length(from_name) <= 320),
  -- what the message asked replies to go to: recorded, never used
  reply_to           TEXT CHECK (length(reply_to) <= 320),
  mail_from          TEXT CHECK (length(mail_from) <= 320),
  remote_ip          TEXT CHECK (length(remote_ip) <= 64),
  subject            TEXT NOT NULL,
  -- the new text only: quoted history and signature removed (quoted_chars of them)
  body               TEXT NOT NULL,
  quoted_chars       INT NOT NULL DEFAULT 0,
  in_reply_to        TEXT,
  refs               TEXT[] NOT NULL DEFAULT '{}',
  recipients_trimmed INT NOT NULL DEFAULT 0,
  attachments        JSONB NOT NULL DEFAULT '[]'::jsonb,
  -- DKIM, SPF and DMARC results, and whether the From domain aligned
  verdict            JSONB NOT NULL,
  record             TEXT CHECK (length(record) <= 200),
  conversation_id    UUID REFERENCES conversations (id) ON DELETE SET NULL,
  status             TEXT NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'answered', 'handed_over')),
  received_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inbound_emails_conversation ON inbound_emails (conversation_id, received_at);

-- The email side of a conversation: the reference token its subjects carry, the record it
-- concerns, and where its replies go (the record's own address, never a Reply-To).
CREATE TABLE email_threads (
  conversation_id UUID PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  token           TEXT NOT NULL UNIQUE CHECK (token ~ '^[A-Z0-9]{8}$'),
  record          TEXT NOT NULL CHECK (length(record) <= 200),
  reply_to        TEXT NOT NULL CHECK (length(reply_to) <= 320),
  subject         TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every Message-ID of a thread, received or sent: an email naming one in In-Reply-To or
-- References continues that conversation.
CREATE TABLE email_thread_messages (
  message_id      TEXT PRIMARY KEY,
  conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  added_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX email_thread_messages_conversation ON email_thread_messages (conversation_id);

-- Replies to send, written in the transaction that stores the Worker's reply, so a crash never
-- loses one. The Message-ID is drawn here, once: a resend after a crash carries the same one, and
-- the receiver counts the reply once.
CREATE TABLE email_outbox (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id      TEXT NOT NULL UNIQUE,
  conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  -- the email it answers: one reply each
  inbound_id      UUID UNIQUE REFERENCES inbound_emails (id) ON DELETE SET NULL,
  to_address      TEXT NOT NULL CHECK (length(to_address) <= 320),
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  in_reply_to     TEXT,
  refs            TEXT[] NOT NULL DEFAULT '{}',
  -- draft: waits for staff to approve; queued: to send; failed: the server refused it for good
  status          TEXT NOT NULL
                  CHECK (status IN ('draft', 'queued', 'sent', 'discarded', 'failed')),
  -- why it is a draft ('envelope' says so, or a limit was reached) or why it failed
  reason          TEXT CHECK (length(reason) <= 2000),
  attempts        INT NOT NULL DEFAULT 0,
  last_error      TEXT CHECK (length(last_error) <= 2000),
  decided_by      TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at         TIMESTAMPTZ
);
CREATE INDEX email_outbox_drafts ON email_outbox (created_at) WHERE status = 'draft';

-- The staff inbox follows drafts waiting for approval and runs handed to a person.
CREATE FUNCTION email_outbox_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    PERFORM fte_change('inbox', 'draft', jsonb_build_object('id', NEW.id, 'status', NEW.status));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER email_outbox_changed AFTER INSERT OR UPDATE OF status ON email_outbox
  FOR EACH ROW EXECUTE FUNCTION email_outbox_changed();

CREATE FUNCTION job_runs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('handed_over', 'failed')
     AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at) THEN
    PERFORM fte_change('inbox', 'job', jsonb_build_object('id', NEW.id, 'status', NEW.status));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER job_runs_changed AFTER UPDATE ON job_runs
  FOR EACH ROW EXECUTE FUNCTION job_runs_changed();

-- Work done once however often it is asked for: a webhook event by its id, a schedule's finding by
-- its key. The conversation its job opened is kept, so a retry continues it.
CREATE TABLE job_once (
  key             TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 400),
  conversation_id UUID REFERENCES conversations (id) ON DELETE SET NULL,
  -- when its reply was stored: a retry after that (a crash, a stop) writes no second one
  replied_at      TIMESTAMPTZ,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
