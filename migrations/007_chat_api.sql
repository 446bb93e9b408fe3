-- The chat API's state, in Postgres so every replica shares it.

-- Per-user request budgets (GCRA): `tat` is the theoretical arrival time of the next request. A
-- request is allowed when tat - now stays within the burst; each one pushes tat one interval on.
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 300),
  tat TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_limits_tat ON rate_limits (tat);

-- Retention finds expired messages and finished runs by age.
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX agent_runs_updated ON agent_runs (updated_at) WHERE status IN ('finished', 'failed');
