-- The Worker's own state: the agent's memory item by item, runs paused for a person's approval,
-- and the trace of every turn (the Agents SDK's trace and span ids), so a turn replays from SQL.

-- The Agents SDK item a message row stands for (a user or assistant message, a tool call, a tool
-- result), replayed to the model as history. `content` stays the readable text.
ALTER TABLE messages ADD COLUMN item JSONB;

-- A run paused until a person approves or rejects its state-changing tool calls. `state` is the
-- SDK's serialised RunState; it resumes from here, in this process or another, after a restart.
CREATE TABLE agent_runs (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL,
  state           TEXT NOT NULL,
  -- what the turn's tool results and the user's message said: the output guardrail's sources
  grounding       JSONB NOT NULL DEFAULT '[]'::jsonb,
  trace_id        TEXT,
  status          TEXT NOT NULL DEFAULT 'waiting'
                  CHECK (status IN ('waiting', 'resuming', 'finished', 'failed')),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX agent_runs_conversation ON agent_runs (conversation_id, created_at);

CREATE TABLE approvals (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id          UUID NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
  conversation_id UUID NOT NULL,
  call_id         TEXT NOT NULL,
  tool            TEXT NOT NULL,
  arguments       JSONB NOT NULL DEFAULT '{}'::jsonb,
  decision        TEXT CHECK (decision IN ('approved', 'rejected')),
  decided_by      TEXT,
  reason          TEXT CHECK (length(reason) <= 1000),
  decided_at      TIMESTAMPTZ,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (run_id, call_id),
  CHECK ((decision IS NULL) = (decided_at IS NULL))
);
CREATE INDEX approvals_conversation ON approvals (conversation_id, created_at);

-- The spans of each turn as the Agents SDK traced them: model calls, tool calls, guardrails.
CREATE TABLE agent_spans (
  trace_id        TEXT NOT NULL,
  span_id         TEXT NOT NULL,
  parent_id       TEXT,
  conversation_id UUID,
  kind            TEXT NOT NULL,
  name            TEXT,
  started_at      TIMESTAMPTZ,
  ended_at        TIMESTAMPTZ,
  error           JSONB,
  data            JSONB NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX agent_spans_conversation ON agent_spans (conversation_id, started_at);
