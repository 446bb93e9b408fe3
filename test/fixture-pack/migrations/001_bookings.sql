-- The fixture pack's one table: rooms people book. A booking belongs to the verified identity that
-- made it, never to a user id a model passes in.

CREATE TABLE bookings (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- the person's own running number: what they and the model call a booking ("booking 2")
  number     INT NOT NULL CHECK (number > 0),
  room       TEXT NOT NULL CHECK (length(room) BETWEEN 1 AND 100),
  day        DATE NOT NULL,
  cancelled  BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (user_id, number)
);
