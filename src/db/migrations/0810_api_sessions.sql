-- Live sessions of api-mode routers come from polling /ip/hotspot/active (gateway.sessions.poll).
--
-- A router that cannot be reached keeps its last known sessions open, marked stale since the
-- first failed poll; the next good poll clears the mark or closes what is gone.
ALTER TABLE sessions ADD COLUMN stale_since timestamptz;

-- The time of the newest router report applied to this router's sessions. The sync takes this
-- row's lock and refuses a report older than it, so two nodes polling at once are applied one
-- after the other and a slow, older report can never reopen what a newer one closed.
ALTER TABLE routers ADD COLUMN sessions_seen_at timestamptz;
