-- access_authorize: the decision on one login (a code or a bound MAC) in one statement, the hot
-- path of RADIUS and the portal (src/access/authorize.ts calls it). This file is the function's one
-- source. To change it: edit this file and add a migration holding only
--   \ir ../functions/access_authorize.sql
-- (see docs/architecture.md, "Database"). The migration runner reads the file when it applies that
-- migration, so every database ends with the function as written here.
--
-- Every earlier version is dropped first, whatever its signature (CREATE OR REPLACE cannot change
-- OUT parameters), so a new signature needs nothing beyond this file either.
DO $$ DECLARE f regprocedure; BEGIN
  FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname = 'access_authorize' AND pronamespace = current_schema()::regnamespace
  LOOP EXECUTE 'DROP FUNCTION ' || f; END LOOP;
END $$;

CREATE FUNCTION access_authorize(p_hash text, p_mac text, p_router_id integer, p_now timestamptz,
                                 p_guess_keys text[], p_guess_limits integer[], p_guess_shards integer[],
                                 p_guess_window_ms integer, p_password_hash text,
                                 OUT ok boolean, OUT reason text, OUT access_code_id uuid, OUT code_sealed text,
                                 OUT plan_id integer, OUT clock text, OUT seconds_left bigint,
                                 OUT expires_at timestamptz, OUT bytes_left bigint, OUT rate_up_kbps integer,
                                 OUT rate_down_kbps integer, OUT devices integer, OUT needs_grant boolean,
                                 OUT retry_after integer, OUT throttled_scope text,
                                 OUT fair_use_rate text, OUT over_cap boolean)
  LANGUAGE plpgsql AS $$
DECLARE
  c record;
  g record;
  v_bound integer;
  v_expires timestamptz;
  v_counted boolean := false;
  v_locked boolean := false;
BEGIN
  ok := false;
  needs_grant := false;
  over_cap := false;
  -- The guessing limits are checked before anything about the code is looked at, but only read
  -- (guess_peek, migration 2441): an attempt is counted once it has failed, so a right code, the
  -- usual login, writes nothing to rate_limits (it used to count and then give the hit back, four
  -- row writes, one of them on the global counter every login shares). A limit already passed is
  -- counted as before, for its wait.
  IF p_guess_keys IS NOT NULL
     AND NOT guess_peek(p_guess_keys, p_guess_limits, p_guess_shards, p_now, p_guess_window_ms) THEN
    g := guess_count(p_guess_keys, p_guess_limits, p_guess_shards, p_now, p_guess_window_ms);
    v_counted := true;
    IF NOT g.allowed THEN
      reason := 'throttled';
      retry_after := g.retry_after;
      throttled_scope := g.scope;
      RETURN;
    END IF;
  END IF;

  -- Every outcome below leaves this block (EXIT decide) so the attempt is settled in one place.
  <<decide>>
  BEGIN

  -- The code is read first without a lock. A login that changes nothing (an active code with time
  -- and data left, the device already bound and seen within the last 5 minutes) decides on that
  -- read and writes nothing at all, so it commits without a WAL flush and queues behind no other
  -- login of the same code. Anything that writes (the first login, a code to expire, a device to
  -- bind, a last sighting to refresh) reads the row again locked, and decides on that: two devices
  -- racing for the last slot still cannot both win.
  LOOP
    IF p_hash IS NOT NULL AND NOT v_locked THEN
      SELECT a.id, a.code_sealed, a.plan_id, a.status, a.devices, a.clock, a.duration_seconds, a.data_cap_bytes,
             a.used_seconds, a.used_bytes, a.valid_until, a.expires_at, a.password_hash, p.rate_up_kbps,
             p.rate_down_kbps, p.fair_use_rate
        INTO c
        FROM access_codes a JOIN plans p ON p.id = a.plan_id
       WHERE a.code_hash = p_hash;
    ELSIF p_hash IS NOT NULL THEN
      SELECT a.id, a.code_sealed, a.plan_id, a.status, a.devices, a.clock, a.duration_seconds, a.data_cap_bytes,
             a.used_seconds, a.used_bytes, a.valid_until, a.expires_at, a.password_hash, p.rate_up_kbps,
             p.rate_down_kbps, p.fair_use_rate
        INTO c
        FROM access_codes a JOIN plans p ON p.id = a.plan_id
       WHERE a.code_hash = p_hash
         FOR UPDATE OF a;
    ELSIF NOT v_locked THEN
      SELECT a.id, a.code_sealed, a.plan_id, a.status, a.devices, a.clock, a.duration_seconds, a.data_cap_bytes,
             a.used_seconds, a.used_bytes, a.valid_until, a.expires_at, a.password_hash, p.rate_up_kbps,
             p.rate_down_kbps, p.fair_use_rate
        INTO c
        FROM access_codes a JOIN plans p ON p.id = a.plan_id
       WHERE a.status IN ('issued', 'active')
         AND EXISTS (SELECT 1 FROM access_devices d WHERE d.access_code_id = a.id AND d.mac = p_mac)
       ORDER BY a.activated_at DESC NULLS LAST
       LIMIT 1;
    ELSE
      SELECT a.id, a.code_sealed, a.plan_id, a.status, a.devices, a.clock, a.duration_seconds, a.data_cap_bytes,
             a.used_seconds, a.used_bytes, a.valid_until, a.expires_at, a.password_hash, p.rate_up_kbps,
             p.rate_down_kbps, p.fair_use_rate
        INTO c
        FROM access_codes a JOIN plans p ON p.id = a.plan_id
       WHERE a.status IN ('issued', 'active')
         AND EXISTS (SELECT 1 FROM access_devices d WHERE d.access_code_id = a.id AND d.mac = p_mac)
       ORDER BY a.activated_at DESC NULLS LAST
       LIMIT 1
         FOR UPDATE OF a;
    END IF;
    IF c.id IS NULL THEN reason := 'unknown'; EXIT decide; END IF;
    -- The password, before anything else about the code is told: a code with its own password needs
    -- it (none given: 'password_needed', so the portal can ask; a wrong one: 'unknown', as a wrong
    -- code). Any other code's password is the code itself. A MAC login (p_hash NULL) has none.
    IF p_hash IS NOT NULL THEN
      IF c.password_hash IS NOT NULL THEN
        IF p_password_hash IS NULL THEN reason := 'password_needed'; EXIT decide; END IF;
        IF p_password_hash <> c.password_hash THEN reason := 'unknown'; EXIT decide; END IF;
      ELSIF p_password_hash IS NOT NULL AND p_password_hash <> p_hash THEN
        reason := 'unknown'; EXIT decide;
      END IF;
    END IF;
    IF c.status = 'revoked' THEN reason := 'revoked'; EXIT decide; END IF;
    IF c.status = 'expired' THEN reason := 'expired'; EXIT decide; END IF;
    EXIT WHEN v_locked;
    -- Read-only: time and data left (the same sums as below) and the device bound and seen lately.
    EXIT WHEN c.status = 'active'
          AND CASE WHEN c.clock = 'wall'
                   THEN floor(extract(epoch FROM (coalesce(c.expires_at, p_now) - p_now))) > 0
                   ELSE c.duration_seconds - c.used_seconds > 0 END
          AND (c.data_cap_bytes IS NULL OR c.data_cap_bytes - c.used_bytes > 0 OR c.fair_use_rate IS NOT NULL)
          AND (p_mac IS NULL
               OR EXISTS (SELECT 1 FROM access_devices d
                           WHERE d.access_code_id = c.id AND d.mac = p_mac
                             AND d.last_seen_at > p_now - interval '5 minutes'));
    v_locked := true;
  END LOOP;

  v_expires := c.expires_at;
  IF c.status = 'issued' THEN
    IF c.valid_until IS NOT NULL AND c.valid_until <= p_now THEN reason := 'not_valid_yet'; EXIT decide; END IF;
    -- First login: the clock starts now.
    v_expires := CASE WHEN c.clock = 'wall' THEN p_now + make_interval(secs => c.duration_seconds) END;
    UPDATE access_codes SET status = 'active', activated_at = p_now, expires_at = v_expires, updated_at = p_now
     WHERE id = c.id;
    IF v_expires IS NOT NULL THEN
      PERFORM wavu_enqueue('access.expire', jsonb_build_object('accessCodeId', c.id::text), v_expires, 12,
                           'expire:' || c.id || ':' || floor(extract(epoch FROM v_expires) * 1000)::bigint, p_now);
    END IF;
  END IF;

  seconds_left := CASE WHEN c.clock = 'wall'
                       THEN floor(extract(epoch FROM (coalesce(v_expires, p_now) - p_now)))::bigint
                       ELSE c.duration_seconds - c.used_seconds END;
  bytes_left := CASE WHEN c.data_cap_bytes IS NOT NULL THEN c.data_cap_bytes - c.used_bytes END;
  -- A fair-use plan's cap slows the code down instead of ending it.
  -- (over_cap, not 'throttled': that word is the guessing limit's reason above.)
  over_cap := c.fair_use_rate IS NOT NULL AND bytes_left <= 0;
  IF over_cap THEN bytes_left := NULL; END IF;
  IF seconds_left <= 0 OR bytes_left <= 0 THEN
    UPDATE access_codes SET status = 'expired', expired_at = p_now, updated_at = p_now
     WHERE id = c.id AND status IN ('issued', 'active');
    IF FOUND THEN
      PERFORM wavu_enqueue('gateway.revoke', jsonb_build_object('accessCodeId', c.id::text), p_now, 12,
                           'revoke:' || c.id || ':expired', p_now);
    END IF;
    reason := CASE WHEN c.clock = 'wall' AND seconds_left <= 0 THEN 'expired' ELSE 'used_up' END;
    seconds_left := NULL;
    bytes_left := NULL;
    EXIT decide;
  END IF;

  IF p_mac IS NOT NULL AND NOT v_locked THEN
    -- Bound and seen within 5 minutes (the read-only login above): the sighting is left as it is.
    needs_grant := p_router_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM routers r WHERE r.id = p_router_id AND r.mode = 'api');
  ELSIF p_mac IS NOT NULL THEN
    -- A device already bound only has its last sighting refreshed.
    UPDATE access_devices d SET last_seen_at = p_now WHERE d.access_code_id = c.id AND d.mac = p_mac;
    IF NOT FOUND THEN
      SELECT count(*) INTO v_bound FROM access_devices d WHERE d.access_code_id = c.id;
      IF p_hash IS NULL THEN reason := 'unknown'; seconds_left := NULL; bytes_left := NULL; EXIT decide; END IF;
      IF v_bound >= c.devices THEN reason := 'device_limit'; seconds_left := NULL; bytes_left := NULL; EXIT decide; END IF;
      INSERT INTO access_devices (access_code_id, mac, bound_at, last_seen_at) VALUES (c.id, p_mac, p_now, p_now);
    END IF;
    needs_grant := p_router_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM routers r WHERE r.id = p_router_id AND r.mode = 'api');
  END IF;

  ok := true;
  access_code_id := c.id;
  code_sealed := c.code_sealed;
  plan_id := c.plan_id;
  clock := c.clock;
  expires_at := v_expires;
  rate_up_kbps := c.rate_up_kbps;
  rate_down_kbps := c.rate_down_kbps;
  devices := c.devices;
  fair_use_rate := c.fair_use_rate;
  END decide;

  IF p_guess_keys IS NOT NULL THEN
    IF ok AND v_counted THEN
      PERFORM guess_refund(g.keys);
    ELSIF NOT ok AND NOT v_counted THEN
      -- A failed attempt counts. The per-device advisory lock taken by guess_peek is held until
      -- commit, so another attempt from this device sees this count before it is decided.
      PERFORM guess_count(p_guess_keys, p_guess_limits, p_guess_shards, p_now, p_guess_window_ms);
    END IF;
  END IF;
END $$;
