-- The gateway's own state, kept in Postgres so every replica shares it (no process memory).

-- Keys the gateway signs with when none is configured (SESSION_SECRET): created on first use, so
-- every server on this database verifies the others' session handles.
CREATE TABLE gateway_secrets (
  name       TEXT PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]*$'),
  secret     BYTEA NOT NULL CHECK (length(secret) >= 32),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The first answer to a state-changing call, by idempotency key: a retry with the same key and the
-- same input gets it back instead of a second write; the same key with other input is refused.
CREATE TABLE idempotency_records (
  tool            TEXT NOT NULL,
  idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 200),
  -- who used the key: another caller's key is never replayed to them
  subject         TEXT NOT NULL,
  request_hash    TEXT NOT NULL,
  response        JSONB NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tool, idempotency_key)
);
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);
