-- A bank's list import is a job any process can finish. The checked rows
-- wait in `job_rows` (JSON) until the import is done; the process working on
-- it holds a lease (`lease_owner` until `lease_until`), renewed with every
-- chunk of rows. A process that stops (killed, restarted) leaves the import
-- to whichever process sees its lease end; each chunk's transaction first
-- checks that `rows_done` is still what its worker read (and, on
-- PostgreSQL, locks the row), so no chunk is saved twice and no debit is
-- matched twice. `takes` counts the workers that took it: an import that
-- keeps stopping its workers is failed after a few.
-- Expand only: an older release ignores the new columns.
ALTER TABLE bank_imports ADD COLUMN job_rows TEXT;
ALTER TABLE bank_imports ADD COLUMN lease_owner BLOB;
ALTER TABLE bank_imports ADD COLUMN lease_until TEXT;
ALTER TABLE bank_imports ADD COLUMN takes BIGINT NOT NULL DEFAULT 0;
CREATE INDEX bank_imports_unfinished ON bank_imports (lease_until) WHERE status = 'processing';
