-- Trace context in columns of its own (W3C trace context, as MCP carries it in `_meta`: SEP-414):
-- the trace a call ran in and the caller's span it was made from, on its invocation row, and the
-- trace on every audit row written in the call or in the Worker's turn. Ids as W3C writes them,
-- in lowercase hex. The Agents SDK's own rows (`agent_spans`) keep its prefixed form of the same
-- ids: a turn's spans are `agent_spans.trace_id = 'trace_' || trace_id` (its primary key), and
-- the span a call was made from is `left(span_id, 21) = 'span_' || parent_span_id`.

ALTER TABLE capability_invocations
  ADD COLUMN trace_id       TEXT CHECK (trace_id ~ '^[0-9a-f]{32}$'),
  ADD COLUMN parent_span_id TEXT CHECK (parent_span_id ~ '^[0-9a-f]{16}$');

-- Adding a column changes no row: the append-only triggers and privileges of migration 002 stand.
ALTER TABLE audit_log ADD COLUMN trace_id TEXT CHECK (trace_id ~ '^[0-9a-f]{32}$');

-- What one trace did, from its spans: its calls and the audit rows written in them.
CREATE INDEX capability_invocations_trace
  ON capability_invocations (trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX audit_log_trace ON audit_log (trace_id) WHERE trace_id IS NOT NULL;

-- Calls recorded before kept their trace in their arguments as `_trace` (the SDK's
-- `trace_<32 hex>/span_<24 hex>`): it moves to the columns and leaves the arguments, so a replay
-- pairs old calls as it pairs new ones. Their audit rows are append-only and keep their copy.
UPDATE capability_invocations
SET trace_id = substring(arguments->>'_trace' FROM '^trace_([0-9a-f]{32})/'),
    parent_span_id = substring(arguments->>'_trace' FROM '/span_([0-9a-f]{16})[0-9a-f]{8}$'),
    arguments = arguments - '_trace'
WHERE arguments ? '_trace';
