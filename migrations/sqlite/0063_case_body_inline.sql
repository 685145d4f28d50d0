-- PostgreSQL only (how a case body is stored in its row); SQLite keeps rows
-- in place already. Kept so both engines have the same migration numbers.
SELECT 1;
