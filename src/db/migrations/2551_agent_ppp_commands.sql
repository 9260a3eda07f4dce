-- Agent routers carry PPP subscribers too: a `/ppp secret` (with its rate profile) to put, and a
-- subscriber's `/ppp active` sessions to end, as queued commands like the hotspot ones.
ALTER TABLE agent_commands DROP CONSTRAINT agent_commands_kind_check;
ALTER TABLE agent_commands ADD CONSTRAINT agent_commands_kind_check
  CHECK (kind IN ('grant', 'revoke', 'disconnect', 'ppp-secret', 'ppp-kick'));
