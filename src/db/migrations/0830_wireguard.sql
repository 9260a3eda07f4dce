-- WireGuard tunnels for api-mode routers Wavu cannot dial directly (RouterOS 7). Wavu makes both
-- key pairs; the router dials out to the server and keeps the path open, and Wavu reaches its API
-- at tunnel_address. The unique constraint is what keeps two routers added at the same moment
-- from getting one address: the loser of the race picks the next free one.
ALTER TABLE routers ADD COLUMN tunnel text CHECK (tunnel IN ('wireguard'));
ALTER TABLE routers ADD COLUMN tunnel_address text CONSTRAINT routers_tunnel_address_key UNIQUE;
ALTER TABLE routers ADD COLUMN wg_private_key_sealed text;
ALTER TABLE routers ADD COLUMN wg_public_key text CONSTRAINT routers_wg_public_key_key UNIQUE;
ALTER TABLE routers ADD CONSTRAINT routers_tunnel_complete CHECK (
  tunnel IS NULL
  OR (mode = 'api' AND tunnel_address IS NOT NULL AND wg_private_key_sealed IS NOT NULL AND wg_public_key IS NOT NULL)
);

-- The server end's key pair: one row, made on first need (ON CONFLICT keeps the first one when
-- two processes make it at once).
CREATE TABLE wireguard_server (
  id                  smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  private_key_sealed  text NOT NULL,
  public_key          text NOT NULL,
  created_at          timestamptz NOT NULL
);
