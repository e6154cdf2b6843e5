-- Foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- a test checks that both expose the same tables and columns.

CREATE TABLE banks (
    code          TEXT PRIMARY KEY CHECK (length(code) = 4),
    name          TEXT NOT NULL,
    kana          TEXT NOT NULL,
    participating BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE branches (
    bank_code TEXT NOT NULL REFERENCES banks (code),
    code      TEXT NOT NULL CHECK (length(code) = 3),
    name      TEXT NOT NULL,
    kana      TEXT NOT NULL,
    PRIMARY KEY (bank_code, code)
);
CREATE INDEX branches_name ON branches (bank_code, name);

CREATE TABLE users (
    id                BLOB PRIMARY KEY,
    email             TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('claimant', 'bank_staff', 'reviewer', 'approver', 'payments', 'admin')),
    bank_code         TEXT REFERENCES banks (code),
    lang              TEXT NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja', 'en')),
    email_verified_at TEXT,
    disabled_at       TEXT,
    created_at        TEXT NOT NULL,
    CONSTRAINT users_bank_staff_bank CHECK ((role = 'bank_staff') = (bank_code IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Single-use links (e-mail verification, password reset). Only the hash of
-- the token is stored: a database dump does not hand out working links.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('claim_reference', 0);

CREATE TABLE claims (
    id             BLOB PRIMARY KEY,
    seq            BIGINT NOT NULL,
    reference      TEXT NOT NULL,
    claimant_id    BLOB NOT NULL REFERENCES users (id),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'bank_review', 'in_review', 'awaiting_claimant',
                       'assessed', 'approved', 'payout_scheduled', 'paid', 'payout_failed', 'rejected', 'withdrawn',
                       'closed_duplicate')),
    version        BIGINT NOT NULL DEFAULT 1,
    full_name      TEXT NOT NULL,
    name_kana      TEXT NOT NULL,
    phone          TEXT NOT NULL,
    total_claimed  BIGINT NOT NULL CHECK (total_claimed >= 0),
    declared_at    TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX claims_seq_key ON claims (seq);
CREATE UNIQUE INDEX claims_reference_key ON claims (reference);
CREATE INDEX claims_claimant ON claims (claimant_id);
CREATE INDEX claims_queue ON claims (state, submitted_at);

CREATE TABLE debit_lines (
    id             BLOB PRIMARY KEY,
    claim_id       BLOB NOT NULL REFERENCES claims (id),
    position       BIGINT NOT NULL,
    bank_code      TEXT NOT NULL REFERENCES banks (code),
    branch_code    TEXT NOT NULL,
    account_type   TEXT NOT NULL CHECK (account_type IN ('ordinary', 'current', 'savings')),
    account_number TEXT NOT NULL CHECK (length(account_number) = 7),
    debit_date     DATE NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount BETWEEN 1 AND 10000000),
    descriptor     TEXT NOT NULL,
    FOREIGN KEY (bank_code, branch_code) REFERENCES branches (bank_code, code)
);
CREATE UNIQUE INDEX debit_lines_position ON debit_lines (claim_id, position);
CREATE INDEX debit_lines_bank ON debit_lines (bank_code, claim_id);

-- Every change of a case: written once, never changed.
CREATE TABLE claim_events (
    id         BLOB PRIMARY KEY,
    claim_id   BLOB NOT NULL REFERENCES claims (id),
    at         TEXT NOT NULL,
    actor_id   BLOB REFERENCES users (id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, at);
CREATE TRIGGER claim_events_no_update BEFORE UPDATE ON claim_events
BEGIN SELECT RAISE(ABORT, 'claim_events are append-only'); END;
CREATE TRIGGER claim_events_no_delete BEFORE DELETE ON claim_events
BEGIN SELECT RAISE(ABORT, 'claim_events are append-only'); END;

-- Mail to send, written in the transaction of the change that causes it.
CREATE TABLE outbox (
    id              BLOB PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    locked_until    TEXT,
    sent_at         TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- Attempts at login and registration, for rate limits that hold across
-- several server processes.
CREATE TABLE auth_attempts (
    id  BLOB PRIMARY KEY,
    key TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX auth_attempts_key ON auth_attempts (key, at);
