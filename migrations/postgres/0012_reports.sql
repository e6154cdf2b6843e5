-- The regulator's report (PostgreSQL). Keep in step with ../sqlite/0012_reports.sql.

INSERT INTO counters (name, value) VALUES ('report', 0);

-- A frozen report: the figures as they were computed for `as_of`, when
-- (`computed_at`) and by whom; downloaded later unchanged. Never updated.
CREATE TABLE reports (
    number      BIGINT PRIMARY KEY,
    -- The form's one-time token: posting the same form again finds this report.
    request_id  TEXT NOT NULL UNIQUE,
    as_of       TIMESTAMPTZ NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    created_by  UUID NOT NULL REFERENCES users (id),
    figures     TEXT NOT NULL
);
CREATE FUNCTION reports_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reports are frozen';
END $$;
CREATE TRIGGER reports_no_change BEFORE UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_frozen();

-- The figures as of a moment come from the append-only tables.
CREATE INDEX line_answers_at ON line_answers (at);
CREATE INDEX ledger_entries_kind_at ON ledger_entries (kind, at);
CREATE INDEX claims_submitted ON claims (submitted_at);
