-- Every action on a case appends to the case's audit chain ("case/<no>"),
-- which needs the chain's head (last seq and hash). The case row, which the
-- action locks anyway, now keeps that head, so an action no longer queries
-- audit_events for it. Only the cases service appends to case streams, always
-- under the row lock, and writes the new head with the row.
ALTER TABLE cases ADD COLUMN audit_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';

UPDATE cases SET
	audit_seq = COALESCE((SELECT seq FROM audit_events WHERE stream = 'case/' || cases.no ORDER BY seq DESC LIMIT 1), 0),
	audit_hash = COALESCE((SELECT hash FROM audit_events WHERE stream = 'case/' || cases.no ORDER BY seq DESC LIMIT 1), '');
