-- The people who supervise the Worker: requests only staff may decide, inbox claims, conversations
-- a person has taken over, and a feed of changes that every open page and every replica follows.

-- A call the gateway would not run for its caller but put to staff instead (the pack's policy says
-- which): kept with its validated arguments, and run once, as the deciding staff member, when
-- approved. `kind` is the pack's inbox item kind; `summary` what staff are asked to decide.
CREATE TABLE staff_requests (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  kind            TEXT NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$'),
  tool            TEXT NOT NULL CHECK (length(tool) BETWEEN 1 AND 200),
  arguments       JSONB NOT NULL CHECK (jsonb_typeof(arguments) = 'object'),
  summary         JSONB NOT NULL,
  -- whom it concerns: the identity that asked, who is told of the decision
  requested_by    TEXT NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 255),
  conversation_id UUID,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'rejected')),
  decided_by      TEXT,
  reason          TEXT CHECK (length(reason) <= 1000),
  -- the tool's answer when it ran on approval (text and data), or why it could not
  outcome         JSONB,
  decided_at      TIMESTAMPTZ,
  -- when the requester was told of the decision (in their conversation or by begin_session)
  reported_at     TIMESTAMPTZ,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK ((status = 'pending') = (decided_by IS NULL))
);
CREATE INDEX staff_requests_pending ON staff_requests (created_at) WHERE status = 'pending';
CREATE INDEX staff_requests_unreported ON staff_requests (requested_by)
  WHERE status <> 'pending' AND reported_at IS NULL;
CREATE INDEX staff_requests_conversation ON staff_requests (conversation_id, created_at);
CREATE INDEX staff_requests_decided ON staff_requests (decided_at) WHERE decided_at IS NOT NULL;

-- Who is working on which inbox item ('<kind>:<key>'), so two people do not work the same thing.
CREATE TABLE inbox_claims (
  item       TEXT PRIMARY KEY CHECK (item ~ '^[a-z][a-z0-9_]*:[A-Za-z0-9._:-]{1,200}$'),
  claimed_by TEXT NOT NULL CHECK (length(claimed_by) BETWEEN 1 AND 255),
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A conversation a person has taken over: while `held_by` is set the Worker does not answer in
-- it. On the conversation's own row, so that the Worker's last write, which locks the row, and a
-- takeover, which updates it, are ordered: a reply is either in before the takeover or not at all.
ALTER TABLE conversations ADD COLUMN held_by TEXT CHECK (length(held_by) BETWEEN 1 AND 255);
ALTER TABLE conversations ADD COLUMN held_since TIMESTAMPTZ;
ALTER TABLE conversations ADD CONSTRAINT conversations_hold CHECK ((held_by IS NULL) = (held_since IS NULL));
CREATE INDEX conversations_held ON conversations (held_since) WHERE held_by IS NOT NULL;

-- A person's reply is an assistant message with an author (NULL: the Worker wrote it).
ALTER TABLE messages ADD COLUMN author TEXT CHECK (length(author) BETWEEN 1 AND 255);
-- A short title for lists, from what the conversation is about (NULL: not known yet).
ALTER TABLE conversations ADD COLUMN title TEXT CHECK (length(title) BETWEEN 1 AND 200);

-- The change feed. Each change gets the next number of one counter row, taken in the writing
-- transaction: numbers are then handed out in commit order (a sequence's are not: a later number
-- may commit first, and a reader that had moved past it would never see the earlier one). A page
-- resumes after the last number it saw; NOTIFY tells every replica's listener there is more.
CREATE TABLE change_feed_head (
  one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
  seq BIGINT NOT NULL
);
INSERT INTO change_feed_head (one, seq) VALUES (true, 0);

CREATE TABLE change_events (
  seq        BIGINT PRIMARY KEY,
  -- who follows it: 'inbox', or 'conversation:<id>'
  scope      TEXT NOT NULL CHECK (scope ~ '^[a-z][a-z0-9_]*(:[A-Za-z0-9._:-]{1,200})?$'),
  kind       TEXT NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$'),
  data       JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX change_events_created ON change_events (created_at);

CREATE FUNCTION fte_change(change_scope TEXT, change_kind TEXT, change_data JSONB)
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
  new_seq BIGINT;
BEGIN
  UPDATE change_feed_head SET seq = seq + 1 WHERE one RETURNING seq INTO new_seq;
  INSERT INTO change_events (seq, scope, kind, data)
    VALUES (new_seq, change_scope, change_kind, coalesce(change_data, '{}'::jsonb));
  PERFORM pg_notify('fte_changes', new_seq::text || ' ' || change_scope);
  RETURN new_seq;
END
$$;

-- Every stored message of a conversation is news to whoever watches it (a tool's rows too: the
-- staff view shows them). One change per statement and conversation, listing its messages: a
-- turn's messages land in one statement, and pay for one change, not one each.
CREATE FUNCTION messages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  written RECORD;
BEGIN
  FOR written IN
    SELECT conversation_id,
           jsonb_agg(jsonb_build_object('id', id, 'role', role) ORDER BY seq) AS messages
    FROM new_messages GROUP BY conversation_id
  LOOP
    PERFORM fte_change('conversation:' || written.conversation_id, 'message',
                       jsonb_build_object('messages', written.messages));
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_changed AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION messages_changed();

CREATE FUNCTION staff_requests_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fte_change('inbox', 'request', jsonb_build_object('id', NEW.id, 'status', NEW.status));
  IF NEW.conversation_id IS NOT NULL THEN
    PERFORM fte_change('conversation:' || NEW.conversation_id, 'request',
                       jsonb_build_object('id', NEW.id, 'status', NEW.status));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER staff_requests_changed AFTER INSERT OR UPDATE OF status ON staff_requests
  FOR EACH ROW EXECUTE FUNCTION staff_requests_changed();

CREATE FUNCTION conversation_hold_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.held_by IS DISTINCT FROM OLD.held_by THEN
    PERFORM fte_change('inbox', 'hold', jsonb_build_object('conversation_id', NEW.id));
    PERFORM fte_change('conversation:' || NEW.id, 'hold',
                       jsonb_build_object('held', NEW.held_by IS NOT NULL));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversation_hold_changed AFTER UPDATE OF held_by ON conversations
  FOR EACH ROW EXECUTE FUNCTION conversation_hold_changed();

CREATE FUNCTION inbox_claims_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fte_change('inbox', 'claim', jsonb_build_object('item', coalesce(NEW.item, OLD.item)));
  RETURN NULL;
END
$$;
CREATE TRIGGER inbox_claims_changed AFTER INSERT OR UPDATE OR DELETE ON inbox_claims
  FOR EACH ROW EXECUTE FUNCTION inbox_claims_changed();
