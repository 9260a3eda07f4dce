-- The simulated SMS gateway's inbox is the simulator's own table: it creates it when demo mode
-- first uses it. Production databases kept an empty copy from 0400; it goes.
DROP TABLE IF EXISTS sim_sms_inbox;
