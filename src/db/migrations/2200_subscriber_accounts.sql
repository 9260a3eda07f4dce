-- Subscriber account numbers come from one sequence, so two staff adding subscribers at the same
-- moment never pick the same number, and a number is never reused after an account is closed.
-- They are "W" and six or more digits: short to type as a Paybill account, unambiguous to read.
CREATE SEQUENCE subscriber_account_no_seq START WITH 100001;

-- What the subscriber owes beyond the next period: an upgrade in the middle of a paid period
-- charges the difference for the days left (see docs/subscribers.md). Kept apart from
-- balance_kes (money they have in hand) so neither column has to go negative.
ALTER TABLE subscribers ADD COLUMN owed_kes integer NOT NULL DEFAULT 0 CHECK (owed_kes >= 0);

CREATE INDEX subscribers_state ON subscribers (state, created_at);
