-- Receipts checked with Safaricom (Transaction Status) because Wavu had no record of them. One
-- open check per receipt; the result callback finds its row by the ids M-Pesa gave at request.
CREATE TABLE status_checks (
  id                          uuid PRIMARY KEY,
  receipt                     text NOT NULL CHECK (receipt ~ '^[A-Z0-9]{10}$'),
  mac                         text,
  ip                          text,
  state                       text NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'credited', 'already_claimed', 'not_ours',
                                               'wrong_amount', 'not_found', 'failed', 'timed_out')),
  conversation_id             text UNIQUE,
  originator_conversation_id  text,
  result_code                 text,
  result_desc                 text,
  purchase_id                 uuid REFERENCES purchases(id),
  created_at                  timestamptz NOT NULL,
  finished_at                 timestamptz
);
CREATE UNIQUE INDEX status_checks_one_open_per_receipt ON status_checks (receipt) WHERE state = 'pending';
CREATE INDEX status_checks_by_mac ON status_checks (mac, created_at);
CREATE INDEX status_checks_by_ip ON status_checks (ip, created_at);

-- An answer that arrives before the ids of its request are stored (M-Pesa can be that quick):
-- kept here, and applied by whichever side finishes last (see handle-result.ts).
CREATE TABLE status_results_early (
  conversation_id  text PRIMARY KEY,
  body             jsonb NOT NULL,
  timed_out        boolean NOT NULL,
  received_at      timestamptz NOT NULL
);
