-- Questions the gateway put to a person before running a call that needs their consent (a tool
-- whose pack says `consent: 'server'`), and their answers. A row is the call's binding: the
-- 2026-07-28 protocol carries its id to the client and back as the request's state, and the
-- answer is taken once (`answered_at` set only while it is NULL), so a replayed answer runs nothing.
CREATE TABLE consent_requests (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- who was asked: the caller the call acts for
  asked_of        TEXT NOT NULL CHECK (length(asked_of) BETWEEN 1 AND 255),
  tool            TEXT NOT NULL CHECK (length(tool) BETWEEN 1 AND 200),
  -- a digest of the call's arguments (without the session handle): the answer is for this call only
  arguments_digest TEXT NOT NULL CHECK (arguments_digest ~ '^[0-9a-f]{64}$'),
  conversation_id UUID,
  -- what the person was shown: the gateway's own summary of the call
  summary         JSONB NOT NULL,
  asked_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  answer          TEXT CHECK (answer IN ('accepted', 'declined', 'cancelled', 'no_answer')),
  answered_at     TIMESTAMPTZ,
  CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX consent_requests_unanswered ON consent_requests (asked_at) WHERE answer IS NULL;
CREATE INDEX consent_requests_conversation ON consent_requests (conversation_id, asked_at);
