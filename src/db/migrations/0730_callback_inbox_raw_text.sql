-- A body PostgreSQL cannot hold as jsonb (a \u0000 escape, a lone surrogate, very deep nesting) or
-- that is not JSON at all is still kept, as the text received. Exactly one of the two is set.
ALTER TABLE callback_inbox ALTER COLUMN body DROP NOT NULL;
ALTER TABLE callback_inbox ADD COLUMN body_text text;
ALTER TABLE callback_inbox ADD CONSTRAINT callback_inbox_one_body
  CHECK ((body IS NULL) <> (body_text IS NULL));

-- Every row ends with one of these outcomes (`malformed`: not a callback at all), and a processed
-- row always says which.
ALTER TABLE callback_inbox ADD CONSTRAINT callback_inbox_outcome_known CHECK (outcome IN (
  'credited', 'duplicate', 'duplicate_receipt', 'paid_twice', 'settled', 'stale', 'unknown_code',
  'unknown_checkout', 'amount_mismatch', 'phone_mismatch', 'no_receipt', 'unmatched', 'malformed',
  'bad_secret', 'accepted', 'rejected:C2B00011', 'rejected:C2B00012', 'rejected:C2B00013',
  'rejected:C2B00014', 'rejected:C2B00015', 'rejected:C2B00016'));
ALTER TABLE callback_inbox ADD CONSTRAINT callback_inbox_processed_has_outcome
  CHECK (processed_at IS NULL OR outcome IS NOT NULL);

-- The sweep pages through waiting rows by id (so rows still waiting cannot hide the ones behind them).
DROP INDEX callback_inbox_unprocessed_idx;
CREATE INDEX callback_inbox_waiting_idx ON callback_inbox (id) WHERE processed_at IS NULL;
