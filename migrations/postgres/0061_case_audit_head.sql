-- Every action on a case appends to the case's audit chain ("case/<no>"),
-- which needs the chain's head (last seq and hash). The case row, which the
-- action locks anyway, now keeps that head, so an action no longer queries
-- audit_events for it. Only the cases service appends to case streams, always
-- under the row lock, and writes the new head with the row.
ALTER TABLE cases ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';

UPDATE cases c SET audit_seq = h.seq, audit_hash = h.hash
FROM (SELECT DISTINCT ON (stream) stream, seq, hash FROM audit_events WHERE stream LIKE 'case/%'
	ORDER BY stream, seq DESC) h
WHERE h.stream = 'case/' || c.no;
