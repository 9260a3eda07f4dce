-- SMS texts carry live access codes, which are otherwise kept only hashed and sealed. From now
-- on the text is sealed (body_sealed) until the message has gone or failed, and body shows it
-- with the code masked.
ALTER TABLE sms_messages ADD COLUMN body_sealed text;

-- Masks the code in texts rendered from our templates ("code is X (", "Code: X.", "WiFi ni X (",
-- "Nambari: X.", "WiFi code: X.", "WiFi: X."). Used here for the messages already stored, and by
-- the delivery job for those still queued from before (sent as stored, masked afterwards).
CREATE FUNCTION mask_sms_codes(body text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT regexp_replace(body, '((?:code is|[Cc]ode:|WiFi ni|Nambari:|WiFi:) )[^ ]+?(\.? |\.?$| \()', '\1*****\2', 'g') $$;

UPDATE sms_messages SET body = mask_sms_codes(body) WHERE status <> 'queued';

-- RADIUS from a router's own address only, unless the operator allows more: a list of addresses
-- and networks ("10.8.0.0/24,198.51.100.7") or 'any' (behind CGNAT; Wavu warns about it).
-- Before, a known NAS-Identifier with the right secret was accepted from anywhere.
ALTER TABLE routers ADD COLUMN radius_allow_from text;
-- A router with no nas_address could only ever be reached by its NAS-Identifier: it keeps working,
-- now marked as open to any address (and warned about).
UPDATE routers SET radius_allow_from = 'any' WHERE mode = 'radius' AND nas_address IS NULL;
