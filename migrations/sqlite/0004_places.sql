-- Places: what a window may accept, and the revocation record of a window
-- authorization (an authorization is revoked, never deleted, so the cases it
-- covered can still show on what authority they were accepted).

-- The item domains or single items a window serves (spec 10: "the item
-- domains or items it may accept"); the authorization, not this list, decides
-- what a clerk may actually do.
CREATE TABLE window_scopes (
	window_id BIGINT NOT NULL REFERENCES windows (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('item', 'domain')),
	value TEXT NOT NULL,
	PRIMARY KEY (window_id, kind, value)
);

ALTER TABLE window_authorizations ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE window_authorizations ADD COLUMN revoked_by BIGINT;
ALTER TABLE window_authorizations ADD COLUMN updated_at TIMESTAMP;

-- Lists and look-ups by signing organization (delete checks, "what did this
-- department delegate").
CREATE INDEX window_authorizations_org ON window_authorizations (org_id);
-- Reverse look-up of a window scope value ("which windows serve 商事登记").
CREATE INDEX window_scopes_value ON window_scopes (kind, value);
