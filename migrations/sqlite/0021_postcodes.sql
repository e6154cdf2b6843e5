-- The postcode list (SQLite). Keep in step with ../postgres/0021_postcodes.sql.

-- A newer postcode list loaded into a running system (`redress postcodes
-- update`): the whole list in its compact form (gzipped), who loaded it
-- (none for the command), when, and what it changed (JSON). The newest
-- is the one every process looks up; with none, the list shipped in the
-- binary.
CREATE TABLE postcode_lists (
    id        BLOB PRIMARY KEY,
    actor_id  BLOB REFERENCES users (id),
    file_name TEXT NOT NULL,
    codes     BIGINT NOT NULL,
    changes   TEXT NOT NULL,
    data      BLOB NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX postcode_lists_at ON postcode_lists (at);

-- A debit line at Japan Post Bank keeps the passbook's 記号-番号 the
-- claimant typed (the Zengin branch and number lose a digit of each), so
-- staff and the bank see both forms.
ALTER TABLE debit_lines ADD COLUMN passbook TEXT;
