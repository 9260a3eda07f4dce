-- openNDS gateways (OpenWrt and Debian): Wavu is their FAS. The router keeps its own faskey
-- (sealed here: it decrypts the `fas` query and derives the rhid tokens), the FAS level (3: HTTPS
-- and authmon pulls authorisations; 1: hashed token redirect on the LAN) and a gateway name
-- with a random part. authmon and the deauth poller identify themselves by sha256(gatewayname),
-- which a client never sees at level 3 (the `fas` query is encrypted), so it is kept unique.
ALTER TABLE routers DROP CONSTRAINT routers_mode_check;
ALTER TABLE routers ADD CONSTRAINT routers_mode_check CHECK (mode IN ('api', 'radius', 'opennds'));
ALTER TABLE routers ADD COLUMN opennds_level smallint CHECK (opennds_level IN (1, 3));
ALTER TABLE routers ADD COLUMN opennds_faskey_sealed text;
ALTER TABLE routers ADD COLUMN opennds_gateway_name text;
ALTER TABLE routers ADD COLUMN opennds_gateway_hash text UNIQUE;
ALTER TABLE routers ADD COLUMN opennds_polled_at timestamptz;
ALTER TABLE routers ADD CONSTRAINT routers_opennds_complete CHECK (
  mode <> 'opennds' OR (opennds_level IS NOT NULL AND opennds_faskey_sealed IS NOT NULL
                        AND opennds_gateway_name IS NOT NULL AND opennds_gateway_hash IS NOT NULL)
);

-- One client as openNDS introduced it to the FAS (one row per hid). `token` is random and rides
-- in the portal's login address, so the login knows the client without trusting the browser.
-- `state` is what Wavu wants on the gateway and how far it got:
--   seen → auth_pending (authmon picks it up) → authed (authmon acked it)
--        → deauth_pending (the deauth poller picks it up) → deauthed (the poller acked it).
CREATE TABLE opennds_clients (
  token            text PRIMARY KEY,
  router_id        integer NOT NULL REFERENCES routers(id) ON DELETE CASCADE,
  hid              text NOT NULL,
  rhid             text NOT NULL,
  mac              text NOT NULL,
  ip               text,
  gateway_address  text,
  origin_url       text,
  access_code_id   uuid REFERENCES access_codes(id),
  state            text NOT NULL DEFAULT 'seen'
                     CHECK (state IN ('seen', 'auth_pending', 'authed', 'deauth_pending', 'deauthed')),
  minutes          integer,
  up_kbps          integer,
  down_kbps        integer,
  up_quota_kb      bigint,
  down_quota_kb    bigint,
  -- When Wavu last handed this MAC to the deauth poller: only a report made after that can
  -- confirm the deauth (an older report may predate the client's authorisation).
  deauth_sent_at   timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  UNIQUE (router_id, hid)
);
CREATE INDEX opennds_clients_pending ON opennds_clients (router_id, state)
  WHERE state IN ('auth_pending', 'deauth_pending');
CREATE INDEX opennds_clients_code ON opennds_clients (access_code_id) WHERE access_code_id IS NOT NULL;
CREATE INDEX opennds_clients_mac ON opennds_clients (router_id, mac, created_at DESC);
