-- The task list of seed 002's assistant: each task belongs to the verified identity that made it,
-- never to a user id a model passes in.

CREATE TABLE tasks (
  id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- the user's own running number: what the user and the model call a task ("task 3")
  number       INT NOT NULL CHECK (number > 0),
  title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description  TEXT CHECK (length(description) <= 2000),
  priority     TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high')),
  completed    BOOLEAN NOT NULL DEFAULT false,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at TIMESTAMPTZ,
  UNIQUE (user_id, number),
  CHECK (completed = (completed_at IS NOT NULL))
);
CREATE INDEX tasks_user_open ON tasks (user_id, completed, priority);
