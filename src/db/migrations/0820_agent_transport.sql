-- Routers Wavu cannot dial (CGNAT, 4G, Starlink): the router polls Wavu over HTTPS and runs the
-- commands it is given. Only a hash of the router's agent token is kept.
ALTER TABLE routers DROP CONSTRAINT routers_api_transport_check;
ALTER TABLE routers ADD CONSTRAINT routers_api_transport_check
  CHECK (api_transport IN ('api', 'api-tls', 'rest', 'agent'));
ALTER TABLE routers ADD COLUMN agent_token_hash text UNIQUE;
-- The last poll: identity, version, uptime, our hotspot users and the live sessions, with the time.
ALTER TABLE routers ADD COLUMN agent_report jsonb;
ALTER TABLE routers ADD COLUMN agent_polled_at timestamptz;

-- Commands for agent routers. An intent (grant/revoke/disconnect of one code or session), turned
-- into RouterOS script only when a poll picks it up, from the database state at that moment.
--   pending → sent → done | failed | lost      (lost: the router rebooted, or ran it but lost the result)
--   pending → superseded (a later command made it pointless) | expired (never sent after expires_at)
--   sent → expired (not acknowledged before expires_at; never sent again)
CREATE TABLE agent_commands (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  router_id       integer NOT NULL REFERENCES routers(id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('grant', 'revoke', 'disconnect')),
  access_code_id  uuid,
  payload         jsonb NOT NULL DEFAULT '{}',
  status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'done', 'failed', 'lost', 'superseded', 'expired')),
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  sent_at         timestamptz,
  finished_at     timestamptz,
  result          text
);
CREATE INDEX agent_commands_open ON agent_commands (router_id, id) WHERE status IN ('pending', 'sent');
CREATE INDEX agent_commands_code ON agent_commands (router_id, access_code_id) WHERE status IN ('pending', 'sent');
