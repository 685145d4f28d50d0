-- Cases (办件): one application of one item version by one applicant. The
-- columns are what inboxes, jobs and statistics filter, sort and join on; the
-- rest of the case (item snapshot, steps, stops, deadlines with their
-- derivation, decision, delivery) is the JSON body, read whole with the row.

-- Per-region, per-day serial of case numbers. The upsert increments the row
-- atomically, so two concurrent submissions never get the same serial.
CREATE TABLE case_serials (
	region_code TEXT NOT NULL,
	day TEXT NOT NULL,
	last INTEGER NOT NULL,
	PRIMARY KEY (region_code, day)
);

CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	no TEXT NOT NULL UNIQUE,
	query_hash TEXT NOT NULL,
	region_code TEXT NOT NULL,
	item_code TEXT NOT NULL,
	item_version INTEGER NOT NULL,
	item_name TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	domain TEXT NOT NULL DEFAULT '',
	case_type TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('online', 'window', 'kiosk', 'assisted')),
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'correction', 'accepted', 'clock_stopped',
		'decided', 'concluded', 'delivered', 'refused', 'withdrawn')),
	applicant_id BIGINT REFERENCES users (id),
	applicant_name TEXT NOT NULL,
	window_id BIGINT,
	step_index INTEGER NOT NULL DEFAULT -1,
	step_role TEXT NOT NULL DEFAULT '',
	step_org_id BIGINT NOT NULL DEFAULT 0,
	light TEXT NOT NULL DEFAULT '',
	step_light TEXT NOT NULL DEFAULT '',
	promised_due TIMESTAMP,
	legal_due TIMESTAMP,
	step_due TIMESTAMP,
	case_yellow_at TIMESTAMP,
	step_yellow_at TIMESTAMP,
	next_light_change_at TIMESTAMP,
	prereview_due TIMESTAMP,
	trips INTEGER NOT NULL DEFAULT 0,
	corrections INTEGER NOT NULL DEFAULT 0,
	second_correction BOOLEAN NOT NULL DEFAULT false,
	pending_count INTEGER NOT NULL DEFAULT 0,
	auto_accepted BOOLEAN NOT NULL DEFAULT false,
	extended BOOLEAN NOT NULL DEFAULT false,
	decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'grant', 'deny')),
	submitted_at TIMESTAMP,
	accepted_at TIMESTAMP,
	decided_at TIMESTAMP,
	concluded_at TIMESTAMP,
	closed_at TIMESTAMP,
	body TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
-- The supervision tick reads only cases whose light changes by now: its cost
-- grows with the cases that change, not with all open cases.
CREATE INDEX cases_next_light ON cases (next_light_change_at) WHERE next_light_change_at IS NOT NULL;
-- The auto-acceptance job (art. 32) reads only online submissions past their pre-review limit.
CREATE INDEX cases_prereview ON cases (prereview_due) WHERE status = 'submitted';
-- Back-office inboxes: the current step's organization and role.
CREATE INDEX cases_inbox ON cases (step_org_id, step_role, status);
CREATE INDEX cases_region_status ON cases (region_code, status, created_at);
CREATE INDEX cases_applicant ON cases (applicant_id, created_at);

-- Materials of a case: a blob (content hash), an e-license reference, a paper
-- original to bring, a signed commitment (告知承诺) or pending (容缺).
-- changed_round is the correction round in which the material last changed,
-- which decides whether a second correction notice may name it.
CREATE TABLE case_materials (
	id INTEGER PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	material_id TEXT NOT NULL,
	name TEXT NOT NULL,
	source TEXT NOT NULL CHECK (source IN ('file', 'license', 'paper', 'commitment', 'none')),
	blob_hash TEXT NOT NULL DEFAULT '',
	license_ref TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('submitted', 'defective', 'pending', 'supplied')),
	changed_round INTEGER NOT NULL DEFAULT 0,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (case_id, material_id)
);

-- Correction notices (一次性补正告知); round 2+ is a flagged second notice.
CREATE TABLE case_corrections (
	id INTEGER PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	round INTEGER NOT NULL,
	second BOOLEAN NOT NULL DEFAULT false,
	override_reason TEXT NOT NULL DEFAULT '',
	items TEXT NOT NULL,
	issued_by BIGINT NOT NULL,
	issued_at TIMESTAMP NOT NULL,
	resolved_at TIMESTAMP,
	UNIQUE (case_id, round)
);

-- Pending materials (容缺) with the applicant's commitment and deadline.
CREATE TABLE case_pending (
	id INTEGER PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	material_id TEXT NOT NULL,
	name TEXT NOT NULL,
	commitment TEXT NOT NULL,
	due_date TEXT NOT NULL,
	due_at TIMESTAMP NOT NULL,
	remind_at TIMESTAMP NOT NULL,
	reminded_at TIMESTAMP,
	supplied_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (case_id, material_id)
);
-- The reminder job reads only reminders still to send.
CREATE INDEX case_pending_remind ON case_pending (remind_at) WHERE reminded_at IS NULL AND supplied_at IS NULL;

-- Post-approval verification tasks (核查) for commitment materials (告知承诺).
CREATE TABLE case_verifications (
	id INTEGER PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	material_id TEXT NOT NULL,
	name TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'failed')),
	created_at TIMESTAMP NOT NULL,
	closed_at TIMESTAMP,
	note TEXT NOT NULL DEFAULT '',
	UNIQUE (case_id, material_id)
);
CREATE INDEX case_verifications_org ON case_verifications (org_id, status);

-- Written documents produced by a case; the web layer renders them.
CREATE TABLE case_documents (
	id INTEGER PRIMARY KEY,
	case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	number TEXT NOT NULL,
	title TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	issued_at TIMESTAMP NOT NULL,
	data TEXT NOT NULL,
	UNIQUE (number)
);
CREATE INDEX case_documents_case ON case_documents (case_id);
