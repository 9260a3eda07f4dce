-- Wrong admin passwords are counted per (username as typed, source address): a stranger's guesses
-- lock out only the stranger's own address, never the owner at theirs. Unknown usernames get rows
-- too, so a lock never tells whether an account exists. Replaces admin_users.failed_logins and
-- locked_until, which are no longer read or written (kept so an older node still starts).
CREATE TABLE admin_login_locks (
  username      text NOT NULL,
  ip            text NOT NULL,
  failures      integer NOT NULL,
  locked_until  timestamptz,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (username, ip)
);
