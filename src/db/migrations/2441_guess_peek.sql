-- Would an attempt on these keys pass the guessing limits (guess_count's rules), without counting
-- it? access_authorize reads the limits with this first and counts only an attempt that fails, so
-- a right code writes nothing to rate_limits. A per-key counter (one device) is guarded by an
-- advisory lock held until commit: attempts from one device are decided one after another, each
-- seeing the counts of those before it, so its limit stays exact. The global counter is only read:
-- attempts decided at the same moment may pass it by as many as are in flight, against a limit of
-- hundreds per window.
CREATE FUNCTION guess_peek(p_keys text[], p_limits integer[], p_shards integer[], p_now timestamptz,
                           p_window_ms integer) RETURNS boolean
  LANGUAGE plpgsql AS $$
DECLARE
  v_stale timestamptz := p_now - make_interval(secs => p_window_ms / 1000.0);
  v_aligned timestamptz;
  v_count bigint;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    IF p_shards[i] > 1 THEN
      v_aligned := to_timestamp(floor(extract(epoch FROM p_now) * 1000 / p_window_ms) * p_window_ms / 1000.0);
      SELECT coalesce(sum(r.count), 0) INTO v_count FROM rate_limits r
       WHERE r.key = ANY (ARRAY(SELECT p_keys[i] || ':' || g FROM generate_series(0, p_shards[i] - 1) g))
         AND r.window_start = v_aligned;
    ELSE
      -- 0x67756573 = "gues": a lock space of its own beside the migrations' single-key lock.
      PERFORM pg_advisory_xact_lock(1735746931, hashtext(p_keys[i]));
      SELECT coalesce(max(r.count), 0) INTO v_count FROM rate_limits r
       WHERE r.key = p_keys[i] AND r.window_start > v_stale;
    END IF;
    IF v_count >= p_limits[i] THEN RETURN false; END IF;
  END LOOP;
  RETURN true;
END $$;

\ir ../functions/access_authorize.sql
