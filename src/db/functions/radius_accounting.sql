-- radius_accounting: one Accounting-Request (Start, Interim-Update or Stop) of a hotspot session in
-- one statement, the hot path of RADIUS accounting (src/radius/accounting.ts calls it). It used to
-- be two to five statements in a transaction (BEGIN and COMMIT round trips included); one
-- statement is its own transaction, so a packet costs one round trip and one commit.
-- This file is the function's one source. To change it: edit this file and add a migration
-- holding only
--   \ir ../functions/radius_accounting.sql
-- (see docs/architecture.md, "Database").
--
-- What it does, in the order the TypeScript did it:
--   1. Apply the packet to its session row, locked first, handing back the totals stored before
--      it (interim and Stop carry running totals: only what is new since then is charged, so a
--      resent, duplicated or reordered packet adds nothing twice and totals never go backwards).
--      A session the sweeper closed for silence ('Stale') comes back to life if the NAS still
--      reports it; the first real end wins; a Stop replaces the sweeper's guess with the NAS's
--      answer.
--   2. A packet for a session we have no row for inserts it (with the access code it spends) and
--      applies itself to the new row; a Start also closes the device's earlier session that never
--      sent its Stop ('Lost-Stop').
--   3. The usage is added to the code (as access/usage.ts does: seconds and bytes, nothing else).
--      Whether that used the code up or crossed a fair-use cap is handed back (`settle`): the
--      caller then applies the consequence with the access core's own rule (recordUsage), which
--      expires or throttles the code under its row lock. `settle` is worked out from the code's
--      counters on every packet, not only on one that adds usage, so a consequence a crash left
--      unapplied is applied at the session's next packet.
--
-- Every earlier version is dropped first, whatever its signature, so a new signature needs
-- nothing beyond this file.
DO $$ DECLARE f regprocedure; BEGIN
  FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname = 'radius_accounting' AND pronamespace = current_schema()::regnamespace
  LOOP EXECUTE 'DROP FUNCTION ' || f; END LOOP;
END $$;

-- p_code_hash: the User-Name's hash when it looks like a code (the key is the server's, so the
-- caller hashes); p_device_mac: the MAC to find the device's live code by (Calling-Station-Id, else
-- a User-Name that is a MAC).
CREATE FUNCTION radius_accounting(p_router_id integer, p_session_id text, p_start boolean, p_stop boolean,
                                  p_username text, p_mac text, p_ip text, p_class_code_id uuid,
                                  p_code_hash text, p_device_mac text, p_session_seconds bigint,
                                  p_input_bytes bigint, p_output_bytes bigint, p_terminate_cause text,
                                  p_started_at timestamptz, p_now timestamptz,
                                  OUT added_seconds bigint, OUT added_bytes bigint, OUT code_id uuid,
                                  OUT settle boolean)
  LANGUAGE plpgsql AS $$
DECLARE
  r record;
  u record;
  v_code uuid;
  v_resolved boolean := false;
BEGIN
  added_seconds := 0;
  added_bytes := 0;
  settle := false;

  FOR attempt IN 1 .. 2 LOOP
    -- The subquery locks the row first, so concurrent copies of a packet queue and each sees what
    -- the one before it stored.
    UPDATE sessions s SET
           session_seconds = GREATEST(s.session_seconds, p_session_seconds),
           input_bytes = GREATEST(s.input_bytes, p_input_bytes),
           output_bytes = GREATEST(s.output_bytes, p_output_bytes),
           ip = COALESCE(p_ip, s.ip),
           updated_at = p_now,
           status = CASE WHEN p_stop THEN 'closed'
                         WHEN o.status = 'closed' AND o.terminate_cause = 'Stale' THEN 'active'
                         ELSE s.status END,
           stopped_at = CASE WHEN p_stop AND (o.status = 'active' OR o.terminate_cause = 'Stale') THEN p_now
                             WHEN NOT p_stop AND o.status = 'closed' AND o.terminate_cause = 'Stale' THEN NULL
                             ELSE s.stopped_at END,
           terminate_cause = CASE WHEN p_stop AND (o.status = 'active' OR o.terminate_cause = 'Stale')
                                    THEN COALESCE(p_terminate_cause, 'Stop')
                                  WHEN NOT p_stop AND o.status = 'closed' AND o.terminate_cause = 'Stale' THEN NULL
                                  ELSE s.terminate_cause END
      FROM (SELECT x.id, x.access_code_id, x.status, x.session_seconds, x.input_bytes, x.output_bytes,
                   x.terminate_cause
              FROM sessions x
             WHERE x.router_id = p_router_id AND x.acct_session_id = p_session_id
               FOR UPDATE) o
     WHERE s.id = o.id
     RETURNING o.id, o.access_code_id, o.session_seconds, o.input_bytes, o.output_bytes INTO r;
    EXIT WHEN FOUND;
    IF attempt = 2 THEN RAISE EXCEPTION 'session row vanished'; END IF;

    -- A session we have no row for yet: which access code it spends (the Class we put in the
    -- Access-Accept, else the User-Name as a code, else the live code the device is bound to).
    v_code := radius_session_code(p_class_code_id, p_code_hash, p_device_mac);
    v_resolved := true;
    INSERT INTO sessions (id, access_code_id, router_id, acct_session_id, username, mac, ip, status,
                          started_at, updated_at)
    VALUES (gen_random_uuid(), v_code, p_router_id, p_session_id, p_username, p_mac, p_ip, 'active',
            p_started_at, p_now)
    ON CONFLICT (router_id, acct_session_id) DO NOTHING;
    IF p_start AND p_mac IS NOT NULL THEN
      -- A Start for a device whose previous session never sent Stop (lost packet, NAS crash):
      -- that old session is over.
      UPDATE sessions s SET status = 'closed', stopped_at = p_now, updated_at = p_now, terminate_cause = 'Lost-Stop'
       WHERE s.router_id = p_router_id AND s.mac = p_mac AND s.status = 'active'
         AND s.acct_session_id <> p_session_id;
    END IF;
  END LOOP;

  added_seconds := GREATEST(0, p_session_seconds - r.session_seconds);
  added_bytes := GREATEST(0, p_input_bytes - r.input_bytes) + GREATEST(0, p_output_bytes - r.output_bytes);

  v_code := r.access_code_id;
  IF v_code IS NULL AND NOT v_resolved THEN
    -- A session started before its code was known (the code may have been issued since).
    v_code := radius_session_code(p_class_code_id, p_code_hash, p_device_mac);
  END IF;
  IF v_code IS NULL THEN RETURN; END IF;
  IF r.access_code_id IS NULL THEN
    UPDATE sessions s SET access_code_id = v_code WHERE s.id = r.id;
  END IF;
  code_id := v_code;

  IF added_seconds > 0 OR added_bytes > 0 THEN
    UPDATE access_codes c SET used_seconds = c.used_seconds + added_seconds, used_bytes = c.used_bytes + added_bytes,
                              updated_at = p_now
      FROM plans p
     WHERE c.id = v_code AND p.id = c.plan_id
     RETURNING c.status, c.clock, c.used_seconds, c.duration_seconds, c.used_bytes, c.data_cap_bytes,
               c.throttled_at, p.fair_use_rate INTO u;
  ELSE
    SELECT c.status, c.clock, c.used_seconds, c.duration_seconds, c.used_bytes, c.data_cap_bytes, c.throttled_at,
           p.fair_use_rate
      INTO u
      FROM access_codes c JOIN plans p ON p.id = c.plan_id
     WHERE c.id = v_code;
  END IF;
  -- Used up (uptime or data), or over a fair-use cap and not yet throttled: the caller settles it.
  -- Saying so too often costs one statement that changes nothing; too seldom would leave a used-up
  -- code online, so this errs on the side of yes.
  settle := COALESCE(u.status = 'active'
                     AND ((u.clock = 'uptime' AND u.used_seconds >= u.duration_seconds)
                          OR (u.data_cap_bytes IS NOT NULL AND u.used_bytes >= u.data_cap_bytes
                              AND (u.fair_use_rate IS NULL OR u.throttled_at IS NULL))), false);
END $$;

DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname = 'radius_session_code' AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE 'DROP FUNCTION ' || f;
  END LOOP;
END $$;

-- Which access code a session spends: the Class we put in the Access-Accept, else the User-Name as
-- a code, else the live code the device's MAC is bound to (the newest activated).
CREATE FUNCTION radius_session_code(p_class_code_id uuid, p_code_hash text, p_device_mac text) RETURNS uuid
  LANGUAGE plpgsql STABLE AS $$
DECLARE
  v uuid;
BEGIN
  IF p_class_code_id IS NOT NULL THEN
    SELECT a.id INTO v FROM access_codes a WHERE a.id = p_class_code_id;
    IF v IS NOT NULL THEN RETURN v; END IF;
  END IF;
  IF p_code_hash IS NOT NULL THEN
    SELECT a.id INTO v FROM access_codes a WHERE a.code_hash = p_code_hash;
    IF v IS NOT NULL THEN RETURN v; END IF;
  END IF;
  IF p_device_mac IS NOT NULL THEN
    SELECT a.id INTO v
      FROM access_codes a JOIN access_devices d ON d.access_code_id = a.id
     WHERE d.mac = p_device_mac AND a.status IN ('issued', 'active')
     ORDER BY a.activated_at DESC NULLS LAST
     LIMIT 1;
  END IF;
  RETURN v;
END $$;
