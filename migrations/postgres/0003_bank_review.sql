-- Bank verification (PostgreSQL). Keep in step with ../sqlite/0003_bank_review.sql.

-- The bank's current answer on a debit line (the history is in line_answers).
ALTER TABLE debit_lines ADD COLUMN bank_verdict TEXT CHECK (bank_verdict IN ('confirmed', 'disputed'));
ALTER TABLE debit_lines ADD COLUMN bank_answered_at TIMESTAMPTZ;

-- Every answer and correction a bank gives on a debit line: written once.
CREATE TABLE line_answers (
    id               UUID PRIMARY KEY,
    line_id          UUID NOT NULL REFERENCES debit_lines (id),
    claim_id         UUID NOT NULL REFERENCES claims (id),
    bank_code        TEXT NOT NULL REFERENCES banks (code),
    verdict          TEXT NOT NULL CHECK (verdict IN ('confirmed', 'disputed')),
    confirmed_amount BIGINT CHECK (confirmed_amount BETWEEN 1 AND 10000000),
    bank_date        DATE,
    bank_reference   TEXT,
    holder_kana      TEXT,
    reason           TEXT CHECK (reason IN ('no_such_debit', 'amount_differs', 'authorized_by_holder',
                         'not_at_this_bank', 'compensated_by_bank', 'other')),
    note             TEXT,
    actor_id         UUID NOT NULL REFERENCES users (id),
    at               TIMESTAMPTZ NOT NULL,
    CONSTRAINT line_answers_shape CHECK (
        (verdict = 'confirmed' AND confirmed_amount IS NOT NULL AND bank_date IS NOT NULL AND holder_kana IS NOT NULL)
        OR (verdict = 'disputed' AND reason IS NOT NULL))
);
CREATE INDEX line_answers_line ON line_answers (line_id, at);
CREATE FUNCTION line_answers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'line_answers are append-only';
END;
$$;
CREATE TRIGGER line_answers_no_change BEFORE UPDATE OR DELETE ON line_answers
    FOR EACH ROW EXECUTE FUNCTION line_answers_append_only();

-- The payout account's bank says whether the account is the claimant's.
CREATE TABLE account_checks (
    id        UUID PRIMARY KEY,
    claim_id  UUID NOT NULL REFERENCES claims (id),
    bank_code TEXT NOT NULL REFERENCES banks (code),
    matches   BOOLEAN NOT NULL,
    note      TEXT,
    actor_id  UUID NOT NULL REFERENCES users (id),
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_checks_claim ON account_checks (claim_id, at);

-- Who opened which case when (staff and bank staff).
CREATE TABLE case_views (
    id       UUID PRIMARY KEY,
    claim_id UUID NOT NULL REFERENCES claims (id),
    user_id  UUID NOT NULL REFERENCES users (id),
    at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_views_at ON case_views (at);
CREATE INDEX case_views_claim ON case_views (claim_id, at);
CREATE FUNCTION case_views_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_views are append-only';
END;
$$;
CREATE TRIGGER case_views_no_change BEFORE UPDATE OR DELETE ON case_views
    FOR EACH ROW EXECUTE FUNCTION case_views_append_only();
