-- An escalation as staff receive it: the escalate-with-context skill's packet (the issue, what was
-- tried, the customer's mood, why), kept with the ticket and the team that has it. A ticket
-- escalated twice has two; the newest open one is the one in the staff inbox.
CREATE TABLE escalations (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  ticket_id       UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  conversation_id UUID,
  team            TEXT NOT NULL CHECK (team ~ '^[a-z][a-z_]*$'),
  reason          TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  issue           TEXT CHECK (length(issue) <= 1000),
  tried           TEXT CHECK (length(tried) <= 2000),
  sentiment       TEXT CHECK (length(sentiment) <= 200),
  requested_by    TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- closed when the ticket is resolved
  closed_at       TIMESTAMPTZ
);
CREATE INDEX escalations_open ON escalations (created_at) WHERE closed_at IS NULL;
CREATE INDEX escalations_ticket ON escalations (ticket_id, created_at DESC);

-- The staff inbox follows open escalations live (the core's change feed).
CREATE FUNCTION escalations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fte_change('inbox', 'escalation', jsonb_build_object('id', NEW.id));
  RETURN NULL;
END
$$;
CREATE TRIGGER escalations_changed AFTER INSERT OR UPDATE ON escalations
  FOR EACH ROW EXECUTE FUNCTION escalations_changed();
