-- A case froze its item version's snapshot (limits, steps, checklist,
-- materials) into its JSON body: half of every body, decoded, encoded and
-- written again by every action although it never changes. Snapshots are
-- now stored once by content hash and bodies refer to them
-- ("item_snapshot_ref"); bodies written before keep theirs inline.
CREATE TABLE case_snapshots (
	hash TEXT PRIMARY KEY, -- SHA-256 (hex) of body
	body TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
