-- Statistics (supervise/stats.go) read every case of a period. They used to
-- read and decode each case's whole JSON body for four fields; those fields
-- are now columns the cases store writes with the body: who accepted the case
-- (group by staff), the clock stops (subtracted from the working days; NULL
-- when there are none) and the promised and legal limits of the item version.
ALTER TABLE cases ADD COLUMN accepted_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN clock_stops TEXT;
ALTER TABLE cases ADD COLUMN promised_limit_days REAL NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN legal_limit_days REAL NOT NULL DEFAULT 0;

UPDATE cases SET
	accepted_by = COALESCE(json_extract(body, '$.accepted_by'), 0),
	clock_stops = CASE WHEN json_type(body, '$.stops') = 'array' AND json_array_length(body, '$.stops') > 0
		THEN json_extract(body, '$.stops') END,
	promised_limit_days = COALESCE(json_extract(body, '$.item_snapshot.promised_limit.days'), 0),
	legal_limit_days = COALESCE(json_extract(body, '$.item_snapshot.legal_limit.days'), 0);

-- A period of statistics is a range of submitted_at. The index covers every
-- column the statistics read, so SQLite answers from the index alone: the
-- table rows hold the JSON body on overflow pages, and the columns added
-- above sit after it in the record (reading them from the row would walk the
-- body's overflow chain). submitted_at leads because the region filter is a
-- LIKE prefix, which SQLite's case-insensitive LIKE cannot seek on.
CREATE INDEX cases_stats ON cases (submitted_at, region_code, org_id, window_id, item_code, item_name, case_type,
	channel, status, decision, trips, corrections, second_correction, accepted_at, concluded_at, promised_due,
	legal_due, accepted_by, promised_limit_days, legal_limit_days, clock_stops, no);
-- cases_stats serves every range of submitted_at cases_submitted (0030) served.
DROP INDEX cases_submitted;

-- Staff lists (GET /api/v1/cases) are the newest cases first, filtered by a
-- region LIKE prefix (no index can seek on it) and often by status. Without
-- an index in created_at order SQLite read every case of the region, whole
-- bodies included, into a temporary B-tree to sort them (639 ms at 1M cases
-- for ?status=accepted); with these it walks the newest cases and stops at
-- the page's end.
CREATE INDEX cases_status_created ON cases (status, created_at);
CREATE INDEX cases_created ON cases (created_at);
