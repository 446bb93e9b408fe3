-- The signed inbound requests already accepted (raw MIME from a mail provider, webhook events), by
-- the sha256 of the bytes their signature covers (timestamp and body): the same signed request
-- seen twice is a replay, refused. Kept only while such a signature is fresh: an older replay is
-- refused as stale, so rows can go after twice the tolerance.
CREATE TABLE inbound_receipts (
  digest      TEXT PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
  route       TEXT NOT NULL CHECK (route ~ '^[a-z][a-z0-9_]*$'),
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inbound_receipts_received ON inbound_receipts (received_at);
