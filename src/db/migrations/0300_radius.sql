-- RADIUS: Message-Authenticator is required in Access-Requests (BlastRADIUS, CVE-2024-3596);
-- a router that cannot send it (RouterOS before 7.15, some other gateways) can be let off per
-- router by an operator who accepts the risk.
ALTER TABLE routers ADD COLUMN radius_require_message_auth boolean NOT NULL DEFAULT true;

-- Sessions are found by access code and by router; the stale-session sweeper scans active ones
-- by their last update.
CREATE INDEX sessions_active_updated_idx ON sessions (updated_at) WHERE status = 'active';
