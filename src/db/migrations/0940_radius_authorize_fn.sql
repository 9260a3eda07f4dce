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

-- access_authorize, the decision on one login, was defined here at first. Its one source is now
-- src/db/functions/access_authorize.sql, which migration 2440 loads after dropping every earlier
-- version; the bodies once restated in 0940, 1650 and 1850 were taken out, since a database that
-- applied them never runs them again and a new one gets the same function from 2440.

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
