-- Ratings (好差评, 国办发〔2019〕51号, GB/T 39734/39735-2020), rectification of
-- bad ratings (差评整改), appeals (申诉) and complaints / 办不成事 reports.

-- Per-region rating rules; a region without a row inherits its parent's,
-- and the code defaults apply where no ancestor has one.
CREATE TABLE rating_rules (
	region_code TEXT PRIMARY KEY,
	stages TEXT NOT NULL,              -- comma list of rateable moments: accept, conclude
	window_days INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 60),
	default_satisfied BOOLEAN NOT NULL DEFAULT false,
	callback_days INTEGER NOT NULL CHECK (callback_days BETWEEN 1 AND 30),
	rectify_days INTEGER NOT NULL CHECK (rectify_days BETWEEN 1 AND 90),
	complaint_days INTEGER NOT NULL CHECK (complaint_days BETWEEN 1 AND 60),
	updated_at TIMESTAMP NOT NULL
);

-- A rateable moment of a case (after acceptance, after conclusion). It fixes
-- the rater (the case's applicant) and the rating window when it opens, so
-- later rule changes do not move a window already running.
CREATE TABLE rating_moments (
	id INTEGER PRIMARY KEY,
	case_no TEXT NOT NULL,
	stage TEXT NOT NULL CHECK (stage IN ('accept', 'conclude')),
	applicant_id BIGINT REFERENCES users (id),
	applicant_name TEXT NOT NULL,
	applicant_phone TEXT NOT NULL DEFAULT '',
	org_id BIGINT NOT NULL,
	region_code TEXT NOT NULL,
	item_code TEXT NOT NULL,
	item_name TEXT NOT NULL,
	window_id BIGINT NOT NULL DEFAULT 0,
	staff_id BIGINT NOT NULL DEFAULT 0,
	case_channel TEXT NOT NULL,
	moment_at TIMESTAMP NOT NULL,
	closes_at TIMESTAMP NOT NULL,
	default_ok BOOLEAN NOT NULL DEFAULT false,
	status TEXT NOT NULL CHECK (status IN ('open', 'rated', 'defaulted', 'expired')),
	token_hash TEXT NOT NULL DEFAULT '',
	token_used_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (case_no, stage)
);
-- The default-satisfied job reads only open moments whose window has closed.
CREATE INDEX rating_moments_due ON rating_moments (closes_at) WHERE status = 'open';
CREATE INDEX rating_moments_token ON rating_moments (token_hash) WHERE token_hash <> '';
CREATE INDEX rating_moments_applicant ON rating_moments (applicant_id);

-- A real rating. One per moment (the UNIQUE is the "once" rule); there is no
-- UPDATE path for level, tags or comment: nobody can change a rating.
CREATE TABLE ratings (
	id INTEGER PRIMARY KEY,
	moment_id BIGINT NOT NULL UNIQUE REFERENCES rating_moments (id),
	case_no TEXT NOT NULL,
	stage TEXT NOT NULL,
	level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	tag_set TEXT NOT NULL CHECK (tag_set IN ('online', 'onsite')),
	tags TEXT NOT NULL,
	comment TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL CHECK (channel IN ('online', 'sms', 'window', 'kiosk', 'hotline')),
	rater_id BIGINT REFERENCES users (id),
	rater_name TEXT NOT NULL,
	rater_phone TEXT NOT NULL DEFAULT '',
	recorded_by BIGINT,
	call_record TEXT NOT NULL DEFAULT '',
	org_id BIGINT NOT NULL,
	region_code TEXT NOT NULL,
	item_code TEXT NOT NULL,
	item_name TEXT NOT NULL,
	window_id BIGINT NOT NULL DEFAULT 0,
	staff_id BIGINT NOT NULL DEFAULT 0,
	bad BOOLEAN NOT NULL,
	excluded BOOLEAN NOT NULL DEFAULT false,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX ratings_org ON ratings (org_id, created_at);
CREATE INDEX ratings_region ON ratings (region_code, created_at);
CREATE INDEX ratings_rater ON ratings (rater_id);

-- 差评整改: one per bad rating, worked by the responsible department.
CREATE TABLE rectifications (
	id INTEGER PRIMARY KEY,
	rating_id BIGINT NOT NULL UNIQUE REFERENCES ratings (id),
	org_id BIGINT NOT NULL,
	region_code TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'called_back', 'rectifying', 'fixed', 'explained', 'reported', 'closed')),
	callback_due TIMESTAMP NOT NULL,
	callback_at TIMESTAMP,
	callback_by BIGINT,
	callback_note TEXT NOT NULL DEFAULT '',
	callback_record TEXT NOT NULL DEFAULT '',
	verified BOOLEAN NOT NULL DEFAULT false,
	outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'fix', 'rectify', 'explain')),
	outcome_note TEXT NOT NULL DEFAULT '',
	rectify_due TIMESTAMP,
	done_at TIMESTAMP,
	reported_at TIMESTAMP,
	report_note TEXT NOT NULL DEFAULT '',
	rater_level INTEGER CHECK (rater_level BETWEEN 1 AND 5),
	rater_comment TEXT NOT NULL DEFAULT '',
	rated_at TIMESTAMP,
	closed_at TIMESTAMP,
	closed_by BIGINT,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	-- A rectification cannot be closed without a callback record.
	CHECK (status <> 'closed' OR callback_at IS NOT NULL)
);
CREATE INDEX rectifications_org ON rectifications (org_id, status);

-- 申诉: a department contests a rating; a supervisor decides.
CREATE TABLE rating_appeals (
	id INTEGER PRIMARY KEY,
	rating_id BIGINT NOT NULL REFERENCES ratings (id),
	org_id BIGINT NOT NULL,
	region_code TEXT NOT NULL,
	reasons TEXT NOT NULL CHECK (reasons <> ''),
	filed_by BIGINT NOT NULL,
	filed_at TIMESTAMP NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'rejected')),
	decided_by BIGINT,
	decided_at TIMESTAMP,
	decision_note TEXT NOT NULL DEFAULT ''
);
-- At most one undecided appeal per rating.
CREATE UNIQUE INDEX rating_appeals_pending ON rating_appeals (rating_id) WHERE status = 'pending';
CREATE INDEX rating_appeals_region ON rating_appeals (region_code, status);

-- Complaints and 办不成事 reports.
CREATE TABLE complaints (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('complaint', 'cannot_do')),
	subject TEXT NOT NULL CHECK (subject IN ('case', 'item', 'window', 'staff')),
	case_no TEXT NOT NULL DEFAULT '',
	item_code TEXT NOT NULL DEFAULT '',
	window_id BIGINT NOT NULL DEFAULT 0,
	staff_id BIGINT NOT NULL DEFAULT 0,
	subject_name TEXT NOT NULL DEFAULT '',
	org_id BIGINT NOT NULL DEFAULT 0,
	region_code TEXT NOT NULL,
	complainant_id BIGINT REFERENCES users (id),
	complainant_name TEXT NOT NULL,
	phone TEXT NOT NULL,
	content TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('online', 'window')),
	recorded_by BIGINT,
	status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'called_back', 'closed')),
	due_at TIMESTAMP NOT NULL,
	answer TEXT NOT NULL DEFAULT '',
	answered_by BIGINT,
	answered_at TIMESTAMP,
	callback_note TEXT NOT NULL DEFAULT '',
	callback_by BIGINT,
	callback_at TIMESTAMP,
	rating INTEGER CHECK (rating BETWEEN 1 AND 5),
	rating_comment TEXT NOT NULL DEFAULT '',
	rated_at TIMESTAMP,
	closed_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	CHECK (status <> 'closed' OR callback_at IS NOT NULL)
);
CREATE INDEX complaints_region ON complaints (region_code, status, created_at);
CREATE INDEX complaints_org ON complaints (org_id, status);
CREATE INDEX complaints_complainant ON complaints (complainant_id);
