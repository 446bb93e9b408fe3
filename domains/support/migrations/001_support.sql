-- The customer-support domain: customers, orders, tickets, refunds.

CREATE TABLE customers (
  id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email        TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  name         TEXT NOT NULL,
  tier         TEXT NOT NULL CHECK (tier IN ('free', 'pro', 'enterprise')),
  -- the verified sign-in subject (`sub`) that proves a person is this customer
  auth_subject TEXT UNIQUE,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id  UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  -- the display id, shown to customers as #4429
  public_id    TEXT NOT NULL UNIQUE CHECK (public_id ~ '^[0-9]{1,12}$'),
  placed_at    TIMESTAMPTZ NOT NULL,
  amount_cents INT NOT NULL CHECK (amount_cents > 0),
  status       TEXT NOT NULL
    CHECK (status IN ('placed', 'shipped', 'delivered', 'refunded', 'cancelled'))
);
CREATE INDEX orders_customer ON orders (customer_id, placed_at DESC);

CREATE TABLE tickets (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the display id customers quote, such as T-1042
  public_id   TEXT NOT NULL UNIQUE CHECK (public_id ~ '^T-[0-9]+$'),
  customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  order_id    UUID REFERENCES orders (id) ON DELETE SET NULL,
  -- a short label (refund_delay, damaged_item, ...) for routing and for labelling search queries
  category    TEXT CHECK (category ~ '^[a-z][a-z0-9_]*$'),
  summary     TEXT NOT NULL,
  resolution  TEXT,
  status      TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'escalated')),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at TIMESTAMPTZ,
  CONSTRAINT tickets_resolved_has_resolution
    CHECK (status <> 'resolved' OR (resolution IS NOT NULL AND resolved_at IS NOT NULL))
);
CREATE INDEX tickets_customer ON tickets (customer_id, created_at DESC);
CREATE INDEX tickets_order ON tickets (order_id);
CREATE INDEX tickets_status ON tickets (status, created_at DESC);

CREATE TABLE refunds (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- RESTRICT, not CASCADE: a record of money moved is never deleted as a side effect
  order_id        UUID NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
  ticket_id       UUID REFERENCES tickets (id) ON DELETE SET NULL,
  amount_cents    INT NOT NULL CHECK (amount_cents > 0),
  reason          TEXT NOT NULL,
  -- issued by us; settled once the bank confirms; failed when it bounced
  status          TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'settled', 'failed')),
  -- the caller's idempotency key: one refund per key, however often the call is retried
  idempotency_key TEXT UNIQUE,
  issued_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_ticket ON refunds (ticket_id);
