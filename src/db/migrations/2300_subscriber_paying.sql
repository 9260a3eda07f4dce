-- Paying for subscriptions (src/subscribers/apply-payment.ts, reminders, auto-renew).

-- A paid subscription purchase buys periods on a subscriber's account, not an access code: the
-- paid-needs-a-code rule of 0001 now holds for hotspot purchases only.
ALTER TABLE purchases DROP CONSTRAINT purchases_check;
ALTER TABLE purchases ADD CONSTRAINT purchases_paid_shape
  CHECK (status <> 'paid' OR (paid_at IS NOT NULL AND (access_code_id IS NOT NULL OR purpose = 'subscription')));

-- The language the subscriber last used on the pay page: receipts and reminders are written in it.
ALTER TABLE subscribers ADD COLUMN lang text CHECK (lang IS NULL OR lang IN ('en', 'sw'));

-- One row per reminder (or auto-renew push) sent for a due date: the primary key is what makes
-- "at most once per subscriber per due date" hold however often the job runs, on any node. A due
-- date that moves (a payment) is a new key, so the next period gets its own reminders.
CREATE TABLE subscriber_notices (
  subscriber_id  integer NOT NULL REFERENCES subscribers(id),
  due_at         timestamptz NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('before', 'due_day', 'auto_renew')),
  purchase_id    uuid REFERENCES purchases(id),
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (subscriber_id, due_at, kind)
);
