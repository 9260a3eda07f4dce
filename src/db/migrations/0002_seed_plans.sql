-- Default plans (DESIGN.md §3). In a migration so they are seeded exactly once: an operator who
-- edits or deletes them later never sees them come back.
INSERT INTO plans (name, price_kes, duration_seconds, rate_up_kbps, rate_down_kbps, devices, clock, sort_order) VALUES
  ('1 Hour',   20,  3600,  2048, 5120, 1, 'wall', 10),
  ('3 Hours',  50,  10800, 2048, 5120, 1, 'wall', 20),
  ('6 Hours',  100, 21600, 2048, 5120, 1, 'wall', 30),
  ('24 Hours', 300, 86400, 2048, 5120, 2, 'wall', 40);
