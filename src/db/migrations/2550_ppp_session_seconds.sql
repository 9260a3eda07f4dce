-- The uptime a PPP session last reported (Acct-Session-Time, or /ppp active's uptime on api-mode
-- routers, which send no accounting and are polled). A polled session whose uptime went down is
-- not the same session: RouterOS reuses /ppp active ids after a reboot.
ALTER TABLE ppp_sessions ADD COLUMN session_seconds bigint NOT NULL DEFAULT 0;
