-- A refund's idempotency key is unique per caller, not across callers: the key and the subject who
-- sent it. Refunds written before this kept "subject:key" in idempotency_key and have no
-- requested_by; seeded refunds have none either (NULLS NOT DISTINCT keeps their keys unique).
ALTER TABLE refunds ADD COLUMN requested_by TEXT;
ALTER TABLE refunds DROP CONSTRAINT refunds_idempotency_key_key;
CREATE UNIQUE INDEX refunds_requester_key ON refunds (requested_by, idempotency_key)
  NULLS NOT DISTINCT WHERE idempotency_key IS NOT NULL;
