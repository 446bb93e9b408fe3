-- Refund windows run from delivery (see the refund policy). Orders delivered before this column
-- existed keep it empty; the refund check then counts from the order date, which is stricter.
ALTER TABLE orders ADD COLUMN delivered_at TIMESTAMPTZ;
ALTER TABLE orders ADD CONSTRAINT orders_delivered_after_placed
  CHECK (delivered_at IS NULL OR delivered_at >= placed_at);
