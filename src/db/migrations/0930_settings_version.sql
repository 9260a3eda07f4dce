-- One counter for the operator's M-Pesa and SMS settings. Every save bumps it in the same
-- transaction as the rows it changes, so a node that sees a new number knows its cached copy is
-- stale, and one that sees the same number knows nothing changed (one indexed row per check).
CREATE TABLE settings_version (
  id       smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  version  bigint NOT NULL DEFAULT 0
);
INSERT INTO settings_version (id, version) VALUES (1, 0);
