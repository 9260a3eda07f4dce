-- UniFi Network sites: Wavu is their external portal. A router row is one site on one
-- controller: where the controller is (`unifi_url`, e.g. https://192.168.1.1 for a UniFi OS
-- console, https://10.0.0.5:8443 for a classic controller), the site's short name as it appears
-- in `/guest/s/<site>/`, and how Wavu talks to it:
--   integration  the official Network Integration API with an API key (X-API-KEY)
--   unifi-os     the legacy controller API on a UniFi OS console (/api/auth/login, CSRF header)
--   classic      the legacy API of a self-hosted controller (/api/login)
-- The legacy kinds log in with `username` and `password_sealed`; the key is sealed like every secret.
ALTER TABLE routers DROP CONSTRAINT routers_mode_check;
ALTER TABLE routers ADD CONSTRAINT routers_mode_check CHECK (mode IN ('api', 'radius', 'opennds', 'unifi'));
ALTER TABLE routers ADD COLUMN unifi_url text;
ALTER TABLE routers ADD COLUMN unifi_site text;
ALTER TABLE routers ADD COLUMN unifi_api text CHECK (unifi_api IN ('integration', 'unifi-os', 'classic'));
ALTER TABLE routers ADD COLUMN unifi_api_key_sealed text;
ALTER TABLE routers ADD CONSTRAINT routers_unifi_complete CHECK (
  mode <> 'unifi' OR (unifi_url IS NOT NULL AND unifi_site IS NOT NULL AND unifi_api IS NOT NULL
    AND (CASE WHEN unifi_api = 'integration' THEN unifi_api_key_sealed IS NOT NULL
              ELSE username IS NOT NULL AND password_sealed IS NOT NULL END))
);
CREATE INDEX routers_unifi_site ON routers (unifi_site) WHERE mode = 'unifi';
