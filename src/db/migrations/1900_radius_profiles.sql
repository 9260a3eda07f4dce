-- Which RADIUS attributes a radius-mode router understands (its vendor profile):
--   mikrotik  Mikrotik-Rate-Limit, Mikrotik-Total-Limit (+ WISPr rates), CoA/Disconnect on 3799
--   pfsense   pfSense-Bandwidth-Max-Up/Down and pfSense-Max-Total-Octets (vendor 13644, + WISPr);
--             no CoA: a revoked code is refused at the portal's re-authentication every minute
--   opnsense  time only (Session-Timeout); no CoA: sessions are ended through the captive-portal
--             API when a key is given (opnsense_url, zone, key and secret sealed), else at timeout
ALTER TABLE routers ADD COLUMN radius_profile text NOT NULL DEFAULT 'mikrotik'
  CHECK (radius_profile IN ('mikrotik', 'pfsense', 'opnsense'));
ALTER TABLE routers ADD COLUMN opnsense_url text;
ALTER TABLE routers ADD COLUMN opnsense_zone_id integer;
ALTER TABLE routers ADD COLUMN opnsense_api_key_sealed text;
ALTER TABLE routers ADD COLUMN opnsense_api_secret_sealed text;
ALTER TABLE routers ADD CONSTRAINT routers_opnsense_api_complete CHECK (
  (opnsense_url IS NULL AND opnsense_api_key_sealed IS NULL AND opnsense_api_secret_sealed IS NULL)
  OR (radius_profile = 'opnsense' AND opnsense_url IS NOT NULL AND opnsense_zone_id IS NOT NULL
      AND opnsense_api_key_sealed IS NOT NULL AND opnsense_api_secret_sealed IS NOT NULL)
);
-- The RADIUS nodes cache the profile with the secret: a change must reach them at commit.
CREATE TRIGGER routers_profile_changed
  AFTER UPDATE OF radius_profile ON routers
  FOR EACH STATEMENT EXECUTE FUNCTION wavu_routers_changed();
