-- Calls refused before they are accepted (a missing scope, too many at once, over budget) are
-- counted here, one row per identity, reason and minute, instead of one audit row per call: a
-- flood of refusals cannot grow the append-only log faster than a row per minute. When its minute
-- has closed, a row becomes one `calls_refused` audit row with its count and leaves this table.
CREATE TABLE refused_calls (
  subject      TEXT NOT NULL,
  reason       TEXT NOT NULL CHECK (reason ~ '^[a-z][a-z0-9_]*$'),
  minute       TIMESTAMPTZ NOT NULL,
  calls        INT NOT NULL CHECK (calls > 0),
  -- calls per tool, for the investigator
  capabilities JSONB NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (subject, reason, minute)
);
CREATE INDEX refused_calls_minute ON refused_calls (minute);

-- An idempotency key belongs to whoever used it: another caller's use of the same key is neither
-- revealed (no "already used") nor blocking (no squatting).
ALTER TABLE idempotency_records DROP CONSTRAINT idempotency_records_pkey;
ALTER TABLE idempotency_records ADD PRIMARY KEY (tool, subject, idempotency_key);
