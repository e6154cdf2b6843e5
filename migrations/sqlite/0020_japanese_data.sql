-- Japanese data as people and banks write it (SQLite). Keep in step with ../postgres/0020_japanese_data.sql.

-- What an import read in another form than the one it stored (half-width
-- kana, era dates, Excel's lost zeros, passbook numbers...): a JSON object
-- of conversion -> rows, shown in the import's report.
ALTER TABLE bank_imports ADD COLUMN conversions TEXT NOT NULL DEFAULT '{}';

-- A branch that a newer bank list no longer has (closed, merged) is kept
-- for the cases that name it, but no new claim or payout chooses it.
ALTER TABLE branches ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;

-- Every newer bank list loaded (`redress banks update`, or an admin's
-- upload): who (none for the command), when, and the differences (JSON).
CREATE TABLE bank_list_updates (
    id        BLOB PRIMARY KEY,
    actor_id  BLOB REFERENCES users (id),
    file_name TEXT NOT NULL,
    changes   TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX bank_list_updates_at ON bank_list_updates (at);
