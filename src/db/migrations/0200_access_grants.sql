-- Which access code is on which router (api mode), so revoke and reconcile know what to remove
-- and what to put back. The database is the truth; routers converge to it.
CREATE TABLE access_grants (
  access_code_id  uuid NOT NULL REFERENCES access_codes(id) ON DELETE CASCADE,
  router_id       integer NOT NULL REFERENCES routers(id) ON DELETE CASCADE,
  -- pending: wanted, not yet confirmed by the router · granted: on the router ·
  -- revoking: must come off (router not yet confirmed) · revoked: off the router
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'granted', 'revoking', 'revoked')),
  remote_id       text,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  requested_at    timestamptz NOT NULL,
  granted_at      timestamptz,
  revoked_at      timestamptz,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (access_code_id, router_id),
  CHECK (status <> 'granted' OR granted_at IS NOT NULL),
  CHECK (status <> 'revoked' OR revoked_at IS NOT NULL)
);
CREATE INDEX access_grants_router_idx ON access_grants (router_id, status);

-- Pin for a router's self-signed certificate (api-tls / REST over HTTPS): SHA-256, hex with colons.
ALTER TABLE routers ADD COLUMN tls_fingerprint text;
-- One reconcile per router at a time: a run takes this lease; an overlapping run of the same router
-- skips instead of fighting it (other routers are unaffected).
ALTER TABLE routers ADD COLUMN reconciling_until timestamptz;
ALTER TABLE routers ADD COLUMN last_reconciled_at timestamptz;
