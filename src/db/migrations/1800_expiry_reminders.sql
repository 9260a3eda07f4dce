-- Expiry reminders (src/access/remind-expiry.ts): a plan may text the customer N minutes before
-- a code's time runs out. NULL: no reminder (the default).
ALTER TABLE plans ADD COLUMN remind_minutes integer CHECK (remind_minutes BETWEEN 1 AND 1440);

-- The deadline a reminder was sent for: one text per deadline, however many jobs run for it. An
-- extension moves expires_at, so the new deadline gets its own reminder.
ALTER TABLE access_codes ADD COLUMN reminded_for timestamptz;

-- Phones that asked for no reminders: by replying STOP/ACHA, or staff on the Customers page.
-- Texts a customer asked for (their code, a receipt) are not reminders and still go.
CREATE TABLE sms_opt_outs (
  phone text PRIMARY KEY CHECK (phone ~ '^254[17][0-9]{8}$'),
  source text NOT NULL CHECK (source IN ('sms', 'staff')),
  opted_out_at timestamptz NOT NULL
);

-- The reminder is scheduled at the moment a code's deadline is set or moved, in the same
-- transaction, whichever path set it: the first login (access_authorize, in SQL), a purchase that
-- starts the clock at payment, buying again or staff extending (TypeScript). A trigger is the one
-- place all of them pass through. The key is per deadline, so writing the same deadline twice
-- queues one job, and an extension queues a fresh one (the old job finds the deadline moved).
CREATE FUNCTION access_codes_schedule_reminder() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  v_minutes integer;
BEGIN
  IF NEW.status <> 'active' OR NEW.expires_at IS NULL OR NEW.phone IS NULL THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND OLD.expires_at IS NOT DISTINCT FROM NEW.expires_at
     AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
    RETURN NULL;
  END IF;
  SELECT remind_minutes INTO v_minutes FROM plans WHERE id = NEW.plan_id;
  IF v_minutes IS NULL THEN RETURN NULL; END IF;
  PERFORM wavu_enqueue('access.remind',
                       jsonb_build_object('accessCodeId', NEW.id::text,
                                          'expiresAt', floor(extract(epoch FROM NEW.expires_at) * 1000)::bigint),
                       NEW.expires_at - make_interval(mins => v_minutes), 5,
                       'remind:' || NEW.id || ':' || floor(extract(epoch FROM NEW.expires_at) * 1000)::bigint,
                       NEW.updated_at);
  RETURN NULL;
END $$;

CREATE TRIGGER access_codes_schedule_reminder
  AFTER INSERT OR UPDATE OF expires_at, status ON access_codes
  FOR EACH ROW EXECUTE FUNCTION access_codes_schedule_reminder();
