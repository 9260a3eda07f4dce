-- Radius routers behind NAT: Wavu's Disconnect/CoA-Requests cannot reach them. After a few
-- failed tries in a row the router's CoA port is marked unreachable (coa_unreachable_since) and
-- kicks stop retrying: the router ends the session itself by the Session-Timeout it was given.
-- A later answer from the router (a probe or any CoA/Disconnect that gets through) clears it.
ALTER TABLE routers ADD COLUMN coa_failures integer NOT NULL DEFAULT 0;
ALTER TABLE routers ADD COLUMN coa_unreachable_since timestamptz;

-- A session Wavu wanted ended but could not tell the router about (its CoA port is unreachable):
-- the router ends it itself at its Session-Timeout. The session stays active until accounting
-- (Stop) or the stale-session sweeper closes it.
ALTER TABLE sessions ADD COLUMN left_to_router_at timestamptz;
