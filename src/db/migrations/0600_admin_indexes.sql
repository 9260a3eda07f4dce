-- Admin lists page by keyset (time, id) newest first; these indexes make every page, the first
-- or the 20,000th, an index range scan. Dashboard revenue reads paid purchases by paid_at and
-- sessions by start time.
CREATE INDEX purchases_created_id_idx ON purchases (created_at DESC, id DESC);
CREATE INDEX purchases_status_created_idx ON purchases (status, created_at DESC, id DESC);
CREATE INDEX purchases_channel_created_idx ON purchases (channel, created_at DESC, id DESC) INCLUDE (status, result_code);
CREATE INDEX purchases_paid_cover_idx ON purchases (paid_at) INCLUDE (amount_kes, paid_amount_kes, plan_id, router_id)
  WHERE status = 'paid';
-- Search by access code finds every purchase that bought or extended that code.
CREATE INDEX purchases_access_code_idx ON purchases (access_code_id);
CREATE INDEX access_codes_issued_idx ON access_codes (issued_at DESC, id DESC);
CREATE INDEX sessions_started_idx ON sessions (started_at DESC, id DESC);
CREATE INDEX sessions_code_started_idx ON sessions (access_code_id, started_at);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
