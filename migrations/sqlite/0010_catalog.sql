-- Catalog: items, their versions, change log, adjustment batches, search
-- synonyms and saved checklists. An item's elements live in the version's
-- JSON body (one document per version, read whole by the guide, the search
-- index and the metrics); the columns are what lists filter and join on.

CREATE TABLE items (
	code TEXT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'suspended', 'abolished')),
	-- the latest published version, 0 before the first publication
	current_version INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX items_org ON items (org_id);
CREATE INDEX items_region ON items (region_code);

CREATE TABLE item_versions (
	item_code TEXT NOT NULL REFERENCES items (code),
	version INTEGER NOT NULL CHECK (version > 0),
	state TEXT NOT NULL CHECK (state IN ('draft', 'review', 'published')),
	body TEXT NOT NULL,
	change_note TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	created_by BIGINT,
	updated_at TIMESTAMP NOT NULL,
	submitted_at TIMESTAMP,
	submitted_by BIGINT,
	published_at TIMESTAMP,
	published_by BIGINT,
	PRIMARY KEY (item_code, version)
);
-- At most one working (unpublished) version per item.
CREATE UNIQUE INDEX item_versions_working ON item_versions (item_code) WHERE state <> 'published';

-- Cases record (item code, version): a published version must never change.
-- The service refuses it first; these triggers make the database refuse it too.
CREATE TRIGGER item_versions_published_immutable
BEFORE UPDATE ON item_versions
WHEN OLD.state = 'published'
BEGIN
	SELECT RAISE(ABORT, 'published item version is immutable');
END;

CREATE TRIGGER item_versions_published_undeletable
BEFORE DELETE ON item_versions
WHEN OLD.state = 'published'
BEGIN
	SELECT RAISE(ABORT, 'published item version is immutable');
END;

-- The public change log of each item (and of each adjustment batch).
CREATE TABLE item_changes (
	id INTEGER PRIMARY KEY,
	item_code TEXT NOT NULL REFERENCES items (code),
	version INTEGER NOT NULL DEFAULT 0,
	at TIMESTAMP NOT NULL,
	action TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	batch_id BIGINT,
	actor_id BIGINT
);
CREATE INDEX item_changes_item ON item_changes (item_code, at);
CREATE INDEX item_changes_batch ON item_changes (batch_id);

-- Catalog adjustment batches (权力清单动态调整).
CREATE TABLE adjustment_batches (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL REFERENCES regions (code),
	title TEXT NOT NULL,
	doc_no TEXT NOT NULL,
	effective_date TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'applied')),
	created_at TIMESTAMP NOT NULL,
	created_by BIGINT,
	published_at TIMESTAMP,
	applied_at TIMESTAMP
);
-- The job scans published batches that are due.
CREATE INDEX adjustment_batches_due ON adjustment_batches (status, effective_date);

CREATE TABLE adjustment_entries (
	id INTEGER PRIMARY KEY,
	batch_id BIGINT NOT NULL REFERENCES adjustment_batches (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('cancel', 'hand_down', 'take_over', 'add', 'merge', 'change')),
	item_code TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	UNIQUE (batch_id, seq)
);

-- Search synonyms maintained by the catalog admin: 开饭店 → 餐饮, 食品经营.
CREATE TABLE catalog_synonyms (
	term TEXT PRIMARY KEY,
	expansions TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by BIGINT
);

-- Saved checklists: a short number a window can type or scan.
CREATE TABLE checklists (
	number TEXT PRIMARY KEY,
	item_code TEXT NOT NULL REFERENCES items (code),
	version INTEGER NOT NULL,
	answers TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	user_id BIGINT
);
