-- A case's body (≈ 5 KB of JSON) made its row longer than PostgreSQL's
-- 2 KB TOAST threshold: the body was compressed (pglz) and still moved out
-- of line, so every action wrote new TOAST chunks and a TOAST index entry
-- and every read fetched them back. Rows up to half a page (4 KB) are now
-- kept as they are; a longer row has its body compressed first, with lz4
-- (several times faster than pglz), and only a body that does not compress
-- enough goes out of line. Rows are stored the new way when next written;
-- a server built without lz4 (or older than PostgreSQL 14) keeps pglz.
ALTER TABLE cases SET (toast_tuple_target = 4080);
-- (EXECUTE: PostgreSQL 13 and older do not know SET COMPRESSION at all.)
DO $$
BEGIN
	EXECUTE 'ALTER TABLE cases ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
	RAISE NOTICE 'lz4 not available: case bodies stay pglz-compressed';
END
$$;
