-- Statistics (supervise/stats.go) read every case of a period. They used to
-- read and decode each case's whole JSON body for four fields; those fields
-- are now columns the cases store writes with the body: who accepted the case
-- (group by staff), the clock stops (subtracted from the working days; NULL
-- when there are none) and the promised and legal limits of the item version.
ALTER TABLE cases ADD COLUMN accepted_by BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN clock_stops TEXT,
	ADD COLUMN promised_limit_days DOUBLE PRECISION NOT NULL DEFAULT 0,
	ADD COLUMN legal_limit_days DOUBLE PRECISION NOT NULL DEFAULT 0;

-- The body is parsed once per row.
UPDATE cases c SET
	accepted_by = COALESCE((b.j ->> 'accepted_by')::bigint, 0),
	clock_stops = CASE WHEN jsonb_typeof(b.j -> 'stops') = 'array' AND jsonb_array_length(b.j -> 'stops') > 0
		THEN (b.j -> 'stops')::text END,
	promised_limit_days = COALESCE((b.j #>> '{item_snapshot,promised_limit,days}')::double precision, 0),
	legal_limit_days = COALESCE((b.j #>> '{item_snapshot,legal_limit,days}')::double precision, 0)
FROM (SELECT id, body::jsonb AS j FROM cases) b WHERE b.id = c.id;

-- A period of statistics is a range of submitted_at. The index carries
-- every other column the statistics read, so PostgreSQL answers with an
-- index-only scan: a month's cases lie scattered over the whole table (one
-- row per heap page at 1M cases, 70,000 pages read for a month).
CREATE INDEX cases_stats ON cases (submitted_at) INCLUDE (id, region_code, org_id, window_id, item_code, item_name,
	case_type, channel, status, decision, trips, corrections, second_correction, accepted_at, concluded_at,
	promised_due, legal_due, accepted_by, promised_limit_days, legal_limit_days, clock_stops, no);
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
