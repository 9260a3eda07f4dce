-- What the subscriber's router was last told (by `subscriber.sync`): a state that differs from
-- it means live sessions must end (they re-authenticate into the right pool); the same state
-- with another rate only needs the new rate (CoA, or the secret's profile in api mode).
ALTER TABLE subscribers ADD COLUMN synced_state text;
ALTER TABLE subscribers ADD COLUMN synced_rate text;
