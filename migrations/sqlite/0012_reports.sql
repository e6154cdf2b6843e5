-- The regulator's report (SQLite). Keep in step with ../postgres/0012_reports.sql.

INSERT INTO counters (name, value) VALUES ('report', 0);

-- A frozen report: the figures as they were computed for `as_of`, when
-- (`computed_at`) and by whom; downloaded later unchanged. Never updated.
CREATE TABLE reports (
    number      BIGINT PRIMARY KEY,
    -- The form's one-time token: posting the same form again finds this report.
    request_id  TEXT NOT NULL UNIQUE,
    as_of       TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    created_by  BLOB NOT NULL REFERENCES users (id),
    figures     TEXT NOT NULL
);
CREATE TRIGGER reports_no_update BEFORE UPDATE ON reports
BEGIN SELECT RAISE(ABORT, 'reports are frozen'); END;
CREATE TRIGGER reports_no_delete BEFORE DELETE ON reports
BEGIN SELECT RAISE(ABORT, 'reports are frozen'); END;

-- The figures as of a moment come from the append-only tables.
CREATE INDEX line_answers_at ON line_answers (at);
CREATE INDEX ledger_entries_kind_at ON ledger_entries (kind, at);
CREATE INDEX claims_submitted ON claims (submitted_at);
