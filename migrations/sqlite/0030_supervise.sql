-- E-supervision (电子监察): yellow and red cards (预警 records) kept per
-- department and per person, findings worked like tickets, and the fees a
-- hall's cashier system reports as charged (checked against the item's list).

-- One row per card holder: scope 'org' (the department, user_id 0) or
-- 'person'. msg_id is the outbox message the card came from, so a message
-- delivered twice (at-least-once delivery) never issues a second card.
CREATE TABLE supervise_cards (
	id INTEGER PRIMARY KEY,
	msg_id BIGINT NOT NULL,
	color TEXT NOT NULL CHECK (color IN ('yellow', 'red')),
	level TEXT NOT NULL CHECK (level IN ('case', 'step')),
	scope TEXT NOT NULL CHECK (scope IN ('org', 'person')),
	org_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL DEFAULT 0,
	case_no TEXT NOT NULL,
	region_code TEXT NOT NULL,
	step_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	UNIQUE (msg_id, color, level, scope, user_id)
);
-- Dashboard and monthly report: cards of a department or a person by time.
CREATE INDEX supervise_cards_org ON supervise_cards (org_id, created_at);
CREATE INDEX supervise_cards_user ON supervise_cards (user_id, created_at) WHERE scope = 'person';
CREATE INDEX supervise_cards_region ON supervise_cards (region_code, created_at);

-- Findings (监察发现): one per rule breach, with the case and the person.
-- dedupe_key makes detection idempotent (one finding per breach).
CREATE TABLE supervise_findings (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('refusal_without_reasons', 'denial_without_reasons', 'second_correction',
		'off_system', 'late_decision', 'fee_not_listed')),
	dedupe_key TEXT NOT NULL UNIQUE,
	case_no TEXT NOT NULL,
	region_code TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL DEFAULT 0,
	detail TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed', 'rectification')),
	reason TEXT NOT NULL DEFAULT '',
	deadline TEXT NOT NULL DEFAULT '',
	handled_by BIGINT NOT NULL DEFAULT 0,
	handled_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
-- The supervisor's work list: findings of a region by status.
CREATE INDEX supervise_findings_region ON supervise_findings (region_code, status, created_at);
CREATE INDEX supervise_findings_case ON supervise_findings (case_no);

-- Fees charged on a case as reported by the cashier (非税收入) system.
CREATE TABLE supervise_fee_charges (
	id INTEGER PRIMARY KEY,
	case_no TEXT NOT NULL,
	name TEXT NOT NULL,
	amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
	listed BOOLEAN NOT NULL,
	charged_by BIGINT NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX supervise_fee_charges_case ON supervise_fee_charges (case_no);

-- Statistics select the cases received in a period (a case belongs to the
-- period in which it was received).
CREATE INDEX cases_submitted ON cases (submitted_at) WHERE submitted_at IS NOT NULL;
