-- Connector memory (who is here, what we remember) and the quick-win notes table.

CREATE TABLE users (
  -- the verified sign-in subject (`sub`); never taken from the model
  id           TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  email        TEXT,
  display_name TEXT,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_state (
  -- one row per person
  user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  state      JSONB NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(state) = 'object'),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE notes (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- every note belongs to a proven identity
  user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  conversation_id UUID REFERENCES conversations (id) ON DELETE SET NULL,
  note_text       TEXT NOT NULL CHECK (length(note_text) BETWEEN 1 AND 10000),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notes_user ON notes (user_id, created_at DESC);
