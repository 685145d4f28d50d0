-- Foundation: settings, people and places, auth, calendar, audit, outbox,
-- notifications, jobs, blobs. Timestamps are UTC; dates are 'YYYY-MM-DD' text
-- so that both engines compare them the same way.

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- Regions use GB/T 2260 codes: 6 digits down to county, 9 for a township,
-- 12 for a village. A region's scope prefix is its code cut to its level.
CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
	parent_code TEXT REFERENCES regions (code),
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE orgs (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	short_name TEXT NOT NULL DEFAULT '',
	uscc TEXT NOT NULL UNIQUE,
	region_code TEXT NOT NULL REFERENCES regions (code),
	kind TEXT NOT NULL CHECK (kind IN ('department', 'vertical', 'institution', 'utility', 'bank', 'agency')),
	phone TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX orgs_region ON orgs (region_code);

CREATE TABLE halls (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions (code),
	address TEXT NOT NULL DEFAULT '',
	hours TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX halls_region ON halls (region_code);

CREATE TABLE service_areas (
	id INTEGER PRIMARY KEY,
	hall_id BIGINT NOT NULL REFERENCES halls (id),
	name TEXT NOT NULL,
	domain TEXT NOT NULL DEFAULT '',
	floor TEXT NOT NULL DEFAULT '',
	UNIQUE (hall_id, name)
);

CREATE TABLE windows (
	id INTEGER PRIMARY KEY,
	hall_id BIGINT NOT NULL REFERENCES halls (id),
	area_id BIGINT REFERENCES service_areas (id),
	number TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('comprehensive', 'single', 'handout', 'assisted', 'green')),
	org_id BIGINT REFERENCES orgs (id),
	active BOOLEAN NOT NULL DEFAULT true,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (hall_id, number)
);

-- A window authorization (窗口授权书): a department delegates accepting and/or
-- deciding on the spot for some items or whole domains to a window.
CREATE TABLE window_authorizations (
	id INTEGER PRIMARY KEY,
	window_id BIGINT NOT NULL REFERENCES windows (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	doc_no TEXT NOT NULL DEFAULT '',
	can_accept BOOLEAN NOT NULL,
	can_decide BOOLEAN NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	revoked_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX window_authorizations_window ON window_authorizations (window_id);

CREATE TABLE window_authorization_scopes (
	authorization_id BIGINT NOT NULL REFERENCES window_authorizations (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('item', 'domain')),
	value TEXT NOT NULL,
	PRIMARY KEY (authorization_id, kind, value)
);

-- Users are staff and applicants. id_number is the citizen ID of a natural
-- person or the USCC of a legal person (unique among applicants).
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('staff', 'person', 'enterprise')),
	password_hash TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	id_number TEXT UNIQUE,
	legal_rep TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	org_id BIGINT REFERENCES orgs (id),
	region_code TEXT REFERENCES regions (code),
	hall_id BIGINT REFERENCES halls (id),
	elderly_mode BOOLEAN NOT NULL DEFAULT false,
	disabled BOOLEAN NOT NULL DEFAULT false,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE user_roles (
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	PRIMARY KEY (user_id, role)
);

CREATE TABLE window_staff (
	window_id BIGINT NOT NULL REFERENCES windows (id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (window_id, user_id)
);
CREATE INDEX window_staff_user ON window_staff (user_id);

-- Server-side sessions; the cookie holds a random id, the table its SHA-256.
CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed logins, counted per account and per address for throttling.
CREATE TABLE login_failures (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL,
	ip TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Working-day calendar: exceptions to Monday-Friday. region_code '' is the
-- national schedule; a region may add local days off.
CREATE TABLE calendar_days (
	region_code TEXT NOT NULL DEFAULT '',
	day TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
	name TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (region_code, day)
);

-- Years whose schedule is loaded; a deadline in another year is an error.
CREATE TABLE calendar_years (
	year INTEGER PRIMARY KEY,
	source TEXT NOT NULL DEFAULT '',
	loaded_at TIMESTAMP NOT NULL
);

-- Audit trail and case timelines: one hash chain per stream ("case/…",
-- "user/…"); UNIQUE (stream, seq) stops two writers from forking a chain.
CREATE TABLE audit_events (
	id INTEGER PRIMARY KEY,
	stream TEXT NOT NULL,
	seq BIGINT NOT NULL,
	at TIMESTAMP NOT NULL,
	actor_id BIGINT,
	actor_role TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	data TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL,
	UNIQUE (stream, seq)
);
CREATE INDEX audit_events_at ON audit_events (at);

-- Transactional outbox, written in the same transaction as its cause.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	topic TEXT NOT NULL,
	payload TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	available_at TIMESTAMP NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	delivered_at TIMESTAMP
);
-- Only undelivered rows are scanned by the delivery job.
CREATE INDEX outbox_pending ON outbox (available_at) WHERE delivered_at IS NULL;

CREATE TABLE notifications (
	id INTEGER PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- Messages "sent" by the development SMS/e-mail provider, shown to admins.
CREATE TABLE dev_messages (
	id INTEGER PRIMARY KEY,
	channel TEXT NOT NULL,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

-- Job leases make each periodic job run on one node at a time.
CREATE TABLE job_leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL DEFAULT '',
	lease_until TIMESTAMP NOT NULL,
	last_started_at TIMESTAMP,
	last_finished_at TIMESTAMP,
	last_error TEXT NOT NULL DEFAULT ''
);

-- Content-addressed blobs: the store keeps bytes by SHA-256, the table the metadata.
CREATE TABLE blobs (
	hash TEXT PRIMARY KEY,
	size BIGINT NOT NULL,
	content_type TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
