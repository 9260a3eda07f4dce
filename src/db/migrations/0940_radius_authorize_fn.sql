-- Hot paths in one round trip. A RADIUS Access-Request used to take ten statements in five
-- transactions; these functions let it take one statement and one commit, with every rule and
-- limit unchanged. The statements inside a PL/pgSQL function are planned once per connection and
-- reused, which is what prepared statements would buy from the client side.

-- Enqueue a durable job and wake idle workers in the same statement (the NOTIFY is delivered on
-- commit). The only writer of job rows: src/jobs/enqueue.ts calls it, and so do the functions below.
CREATE FUNCTION wavu_enqueue(p_kind text, p_payload jsonb, p_run_at timestamptz, p_max_attempts integer,
                             p_key text, p_now timestamptz) RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
BEGIN
  INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, created_at, updated_at)
  VALUES (p_kind, p_payload, p_run_at, p_max_attempts, p_key, p_now, p_now)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id INTO v_id;
  IF v_id IS NOT NULL THEN
    PERFORM pg_notify('wavu_jobs', p_kind);
  END IF;
  RETURN v_id;
END $$;

-- Count one guessing attempt against each key (src/access/guessing.ts explains the limits).
-- A key with p_shards[i] > 1 is a counter everyone hits (the global limit): its count is spread
-- over that many rows, picked at random, so concurrent logins do not queue on one row lock. Its
-- shards share one window aligned to the clock, so their sum is exactly one fixed-window counter.
-- Other keys keep a window that starts at their first hit. Returns the keys actually counted
-- (for the refund of a right code) and, when a limit is passed, the longest wait and its scope.
CREATE FUNCTION guess_count(p_keys text[], p_limits integer[], p_shards integer[], p_now timestamptz,
                            p_window_ms integer,
                            OUT allowed boolean, OUT retry_after integer, OUT scope text, OUT keys text[])
  LANGUAGE plpgsql AS $$
DECLARE
  v_window interval := make_interval(secs => p_window_ms / 1000.0);
  v_stale timestamptz := p_now - make_interval(secs => p_window_ms / 1000.0);
  v_aligned timestamptz;
  v_key text;
  v_all text[];
  v_count bigint;
  v_start timestamptz;
  v_wait integer;
BEGIN
  allowed := true;
  retry_after := 0;
  keys := '{}';
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    IF p_shards[i] > 1 THEN
      v_aligned := to_timestamp(floor(extract(epoch FROM p_now) * 1000 / p_window_ms) * p_window_ms / 1000.0);
      v_all := ARRAY(SELECT p_keys[i] || ':' || g FROM generate_series(0, p_shards[i] - 1) g);
      v_key := v_all[1 + floor(random() * p_shards[i])::integer];
      INSERT INTO rate_limits AS r (key, window_start, count) VALUES (v_key, v_aligned, 1)
      ON CONFLICT (key) DO UPDATE SET
        window_start = EXCLUDED.window_start,
        count = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.count + 1 ELSE 1 END;
      SELECT coalesce(sum(r.count), 0) INTO v_count FROM rate_limits r
       WHERE r.key = ANY (v_all) AND r.window_start = v_aligned;
      v_start := v_aligned;
    ELSE
      v_key := p_keys[i];
      INSERT INTO rate_limits AS r (key, window_start, count) VALUES (v_key, p_now, 1)
      ON CONFLICT (key) DO UPDATE SET
        window_start = CASE WHEN r.window_start <= v_stale THEN p_now ELSE r.window_start END,
        count = CASE WHEN r.window_start <= v_stale THEN 1 ELSE r.count + 1 END
      RETURNING r.count, r.window_start INTO v_count, v_start;
    END IF;
    keys := keys || v_key;
    IF v_count > p_limits[i] THEN
      allowed := false;
      v_wait := greatest(1, ceil(extract(epoch FROM (v_start + v_window - p_now)))::integer);
      IF v_wait > retry_after THEN
        retry_after := v_wait;
        scope := coalesce(nullif(split_part(p_keys[i], ':', 3), ''), 'all');
      END IF;
    END IF;
  END LOOP;
END $$;

-- Give the hits of a right code back.
CREATE FUNCTION guess_refund(p_keys text[]) RETURNS void
  LANGUAGE sql AS $$
  UPDATE rate_limits SET count = count - 1 WHERE key = ANY (p_keys) AND count > 0
$$;

-- May this device go online with this code (p_hash), or with the live code it is bound to
-- (p_hash NULL: MAC login)? The rules of src/access/authorize.ts, which calls this and is their
-- one description: the code's row is locked for the decision; the first login starts the clock
-- and schedules the expiry; a code with nothing left is expired and revoked; a new device is bound
-- up to the plan's limit (only by a code, never by a MAC login). With p_guess_keys, the attempt is
-- counted first (guess_count) and a right code gives it back, all in this one transaction.
-- needs_grant: a device was bound on a router in `api` mode, so the caller queues the push.
CREATE FUNCTION access_authorize(p_hash text, p_mac text, p_router_id integer, p_now timestamptz,
                                 p_guess_keys text[], p_guess_limits integer[], p_guess_shards integer[],
                                 p_guess_window_ms integer,
                                 OUT ok boolean, OUT reason text, OUT access_code_id uuid, OUT code_sealed text,
                                 OUT plan_id integer, OUT clock text, OUT seconds_left bigint,
                                 OUT expires_at timestamptz, OUT bytes_left bigint, OUT rate_up_kbps integer,
                                 OUT rate_down_kbps integer, OUT devices integer, OUT needs_grant boolean,
                                 OUT retry_after integer, OUT throttled_scope text)
  LANGUAGE plpgsql AS $$
DECLARE
  c record;
  g record;
  v_bound integer;
  v_expires timestamptz;
BEGIN
  ok := false;
  needs_grant := false;
  IF p_guess_keys IS NOT NULL THEN
    g := guess_count(p_guess_keys, p_guess_limits, p_guess_shards, p_now, p_guess_window_ms);
    IF NOT g.allowed THEN
      reason := 'throttled';
      retry_after := g.retry_after;
      throttled_scope := g.scope;
      RETURN;
    END IF;
  END IF;

  IF p_hash IS NOT NULL THEN
    SELECT a.id, a.code_sealed, a.plan_id, a.status, a.devices, a.clock, a.duration_seconds, a.data_cap_bytes,
           a.used_seconds, a.used_bytes, a.valid_until, a.expires_at, p.rate_up_kbps, p.rate_down_kbps
      INTO c
      FROM access_codes a JOIN plans p ON p.id = a.plan_id
     WHERE a.code_hash = p_hash
       FOR UPDATE OF a;
  ELSE
    SELECT a.id, a.code_sealed, a.plan_id, a.status, a.devices, a.clock, a.duration_seconds, a.data_cap_bytes,
           a.used_seconds, a.used_bytes, a.valid_until, a.expires_at, p.rate_up_kbps, p.rate_down_kbps
      INTO c
      FROM access_codes a JOIN plans p ON p.id = a.plan_id
     WHERE a.status IN ('issued', 'active')
       AND EXISTS (SELECT 1 FROM access_devices d WHERE d.access_code_id = a.id AND d.mac = p_mac)
     ORDER BY a.activated_at DESC NULLS LAST
     LIMIT 1
       FOR UPDATE OF a;
  END IF;
  IF c.id IS NULL THEN reason := 'unknown'; RETURN; END IF;
  IF c.status = 'revoked' THEN reason := 'revoked'; RETURN; END IF;
  IF c.status = 'expired' THEN reason := 'expired'; RETURN; END IF;

  v_expires := c.expires_at;
  IF c.status = 'issued' THEN
    IF c.valid_until IS NOT NULL AND c.valid_until <= p_now THEN reason := 'not_valid_yet'; RETURN; END IF;
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
    RETURN;
  END IF;

  IF p_mac IS NOT NULL THEN
    -- A device already bound only has its last sighting refreshed.
    UPDATE access_devices d SET last_seen_at = p_now WHERE d.access_code_id = c.id AND d.mac = p_mac;
    IF NOT FOUND THEN
      SELECT count(*) INTO v_bound FROM access_devices d WHERE d.access_code_id = c.id;
      IF p_hash IS NULL THEN reason := 'unknown'; seconds_left := NULL; bytes_left := NULL; RETURN; END IF;
      IF v_bound >= c.devices THEN reason := 'device_limit'; seconds_left := NULL; bytes_left := NULL; RETURN; END IF;
      INSERT INTO access_devices (access_code_id, mac, bound_at, last_seen_at) VALUES (c.id, p_mac, p_now, p_now);
    END IF;
    needs_grant := p_router_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM routers r WHERE r.id = p_router_id AND r.mode = 'api');
  END IF;

  IF p_guess_keys IS NOT NULL THEN
    PERFORM guess_refund(g.keys);
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
END $$;

-- Routers in radius mode are cached by every RADIUS node (src/radius/nas.ts); a change anywhere
-- reaches them at commit instead of after the cache's lifetime.
CREATE FUNCTION wavu_routers_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('wavu_routers', '');
  RETURN NULL;
END $$;

CREATE TRIGGER routers_added_removed AFTER INSERT OR DELETE OR TRUNCATE ON routers
  FOR EACH STATEMENT EXECUTE FUNCTION wavu_routers_changed();
-- Only the columns the cache holds: status and last-seen updates are frequent and change nothing.
CREATE TRIGGER routers_changed
  AFTER UPDATE OF name, mode, enabled, nas_address, nas_identifier, radius_secret_sealed, coa_port,
                  radius_require_message_auth, radius_allow_from ON routers
  FOR EACH STATEMENT EXECUTE FUNCTION wavu_routers_changed();
