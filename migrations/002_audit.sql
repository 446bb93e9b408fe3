-- The trace: every capability invocation, and an append-only audit log of every action.

CREATE TABLE capability_invocations (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL for calls that arrive outside a Worker conversation (an external MCP client)
  conversation_id UUID REFERENCES conversations (id) ON DELETE SET NULL,
  actor           TEXT NOT NULL,
  -- 'skill:summarize-ticket', 'mcp:lookup_order', ...
  capability      TEXT NOT NULL CHECK (length(capability) BETWEEN 1 AND 200),
  arguments       JSONB NOT NULL DEFAULT '{}'::jsonb,
  result          JSONB,
  status          TEXT NOT NULL CHECK (status IN ('ok', 'error', 'timeout')),
  latency_ms      INT NOT NULL CHECK (latency_ms >= 0),
  cost_usd        NUMERIC(14, 6) CHECK (cost_usd >= 0),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX capability_invocations_conversation
  ON capability_invocations (conversation_id, created_at);
CREATE INDEX capability_invocations_capability
  ON capability_invocations (capability, created_at);

CREATE TABLE audit_log (
  id              BIGSERIAL PRIMARY KEY,
  -- No foreign key: an audit row is never changed, not even by a cascade, and outlives the
  -- conversation it describes.
  conversation_id UUID,
  -- the invocation this entry belongs to; deferred so a business event can be recorded before the
  -- invocation row that closes the same transaction
  invocation_id   UUID REFERENCES capability_invocations (id) DEFERRABLE INITIALLY DEFERRED,
  actor           TEXT NOT NULL,
  action          TEXT NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*$'),
  target          TEXT,
  payload         JSONB NOT NULL DEFAULT '{}'::jsonb,
  result          JSONB,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_log_conversation ON audit_log (conversation_id, created_at);
CREATE INDEX audit_log_action ON audit_log (action, created_at);
CREATE INDEX audit_log_invocation ON audit_log (invocation_id) WHERE invocation_id IS NOT NULL;

-- Append-only, twice over. A statement trigger refuses UPDATE, DELETE and TRUNCATE for every role
-- (even when no row matches), and the role that owns the schema gives up those privileges, so a
-- disabled trigger still leaves the table read-and-append for the application.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP
    USING HINT = 'Audit rows are never changed or removed; record a new row instead.';
END
$$;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC, CURRENT_USER;

-- Messages draw their position from the audit log's sequence, so a replay interleaves the two in
-- the order they were written, whatever the resolution of the clock.
ALTER TABLE messages ADD COLUMN seq BIGINT NOT NULL DEFAULT nextval('audit_log_id_seq');
CREATE INDEX messages_conversation_seq ON messages (conversation_id, seq);
