-- Fair use: a plan with a data cap may slow the code down to a reduced rate when the cap is
-- reached, instead of cutting it off. plans.fair_use_rate is that rate in MikroTik rate-limit
-- syntax (rx/tx from the router's side: "512k/512k"); null keeps the cut-off. throttled_at is
-- when a code crossed its cap on such a plan: set once, by the usage report that crossed it
-- (src/access/throttle.ts), so the router change and the audit row happen exactly once.
ALTER TABLE plans ADD COLUMN fair_use_rate text;
ALTER TABLE access_codes ADD COLUMN throttled_at timestamptz;

-- access_authorize lets a code over its cap online at fair_use_rate (over_cap). The
-- function's one source is src/db/functions/access_authorize.sql, loaded by migration 2440
-- (which drops every earlier version), so its body is no longer restated here.
