-- The bank's own debit list (PostgreSQL). Keep in step with ../sqlite/0004_bank_imports.sql.

-- One upload of a bank's list, with its report.
CREATE TABLE bank_imports (
    id            UUID PRIMARY KEY,
    bank_code     TEXT NOT NULL REFERENCES banks (code),
    actor_id      UUID NOT NULL REFERENCES users (id),
    file_name     TEXT NOT NULL,
    rows_read     BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_matched  BIGINT NOT NULL,
    rows_probable BIGINT NOT NULL,
    rows_unmatched BIGINT NOT NULL,
    rows_known    BIGINT NOT NULL,
    rejections    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX bank_imports_bank ON bank_imports (bank_code, created_at);

-- Every debit a bank reported, once per bank reference (importing the same
-- list again changes nothing). `status`: matched (to `line_id`), probable
-- (to `line_id`, waiting for a click), unmatched (a bank-reported loss).
CREATE TABLE bank_debits (
    id             UUID PRIMARY KEY,
    bank_code      TEXT NOT NULL REFERENCES banks (code),
    bank_reference TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    account_type   TEXT NOT NULL CHECK (account_type IN ('ordinary', 'current', 'savings')),
    account_number TEXT NOT NULL,
    holder_kana    TEXT NOT NULL,
    debit_date     DATE NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount BETWEEN 1 AND 10000000),
    descriptor     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('matched', 'probable', 'unmatched')),
    line_id        UUID REFERENCES debit_lines (id),
    import_id      UUID NOT NULL REFERENCES bank_imports (id),
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX bank_debits_reference ON bank_debits (bank_code, bank_reference);
CREATE INDEX bank_debits_status ON bank_debits (bank_code, status);
