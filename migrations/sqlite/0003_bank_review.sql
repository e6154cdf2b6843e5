-- Bank verification (SQLite). Keep in step with ../postgres/0003_bank_review.sql.

-- The bank's current answer on a debit line (the history is in line_answers).
ALTER TABLE debit_lines ADD COLUMN bank_verdict TEXT CHECK (bank_verdict IN ('confirmed', 'disputed'));
ALTER TABLE debit_lines ADD COLUMN bank_answered_at TEXT;

-- Every answer and correction a bank gives on a debit line: written once.
CREATE TABLE line_answers (
    id               BLOB PRIMARY KEY,
    line_id          BLOB NOT NULL REFERENCES debit_lines (id),
    claim_id         BLOB NOT NULL REFERENCES claims (id),
    bank_code        TEXT NOT NULL REFERENCES banks (code),
    verdict          TEXT NOT NULL CHECK (verdict IN ('confirmed', 'disputed')),
    confirmed_amount BIGINT CHECK (confirmed_amount BETWEEN 1 AND 10000000),
    bank_date        DATE,
    bank_reference   TEXT,
    holder_kana      TEXT,
    reason           TEXT CHECK (reason IN ('no_such_debit', 'amount_differs', 'authorized_by_holder',
                         'not_at_this_bank', 'compensated_by_bank', 'other')),
    note             TEXT,
    actor_id         BLOB NOT NULL REFERENCES users (id),
    at               TEXT NOT NULL,
    CONSTRAINT line_answers_shape CHECK (
        (verdict = 'confirmed' AND confirmed_amount IS NOT NULL AND bank_date IS NOT NULL AND holder_kana IS NOT NULL)
        OR (verdict = 'disputed' AND reason IS NOT NULL))
);
CREATE INDEX line_answers_line ON line_answers (line_id, at);
CREATE TRIGGER line_answers_no_update BEFORE UPDATE ON line_answers
BEGIN SELECT RAISE(ABORT, 'line_answers are append-only'); END;
CREATE TRIGGER line_answers_no_delete BEFORE DELETE ON line_answers
BEGIN SELECT RAISE(ABORT, 'line_answers are append-only'); END;

-- The payout account's bank says whether the account is the claimant's.
CREATE TABLE account_checks (
    id        BLOB PRIMARY KEY,
    claim_id  BLOB NOT NULL REFERENCES claims (id),
    bank_code TEXT NOT NULL REFERENCES banks (code),
    matches   BOOLEAN NOT NULL,
    note      TEXT,
    actor_id  BLOB NOT NULL REFERENCES users (id),
    at        TEXT NOT NULL
);
CREATE INDEX account_checks_claim ON account_checks (claim_id, at);

-- Who opened which case when (staff and bank staff).
CREATE TABLE case_views (
    id       BLOB PRIMARY KEY,
    claim_id BLOB NOT NULL REFERENCES claims (id),
    user_id  BLOB NOT NULL REFERENCES users (id),
    at       TEXT NOT NULL
);
CREATE INDEX case_views_at ON case_views (at);
CREATE INDEX case_views_claim ON case_views (claim_id, at);
CREATE TRIGGER case_views_no_update BEFORE UPDATE ON case_views
BEGIN SELECT RAISE(ABORT, 'case_views are append-only'); END;
CREATE TRIGGER case_views_no_delete BEFORE DELETE ON case_views
BEGIN SELECT RAISE(ABORT, 'case_views are append-only'); END;
