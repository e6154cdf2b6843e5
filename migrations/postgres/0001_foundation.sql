-- Foundation schema (PostgreSQL). Keep in step with ../sqlite/0001_foundation.sql:
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
    id                UUID PRIMARY KEY,
    email             TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('claimant', 'bank_staff', 'reviewer', 'approver', 'payments', 'admin')),
    bank_code         TEXT REFERENCES banks (code),
    lang              TEXT NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja', 'en')),
    email_verified_at TIMESTAMPTZ,
    disabled_at       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_bank_staff_bank CHECK ((role = 'bank_staff') = (bank_code IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('claim_reference', 0);

CREATE TABLE claims (
    id             UUID PRIMARY KEY,
    seq            BIGINT NOT NULL,
    reference      TEXT NOT NULL,
    claimant_id    UUID NOT NULL REFERENCES users (id),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'bank_review', 'in_review', 'awaiting_claimant',
                       'assessed', 'approved', 'payout_scheduled', 'paid', 'payout_failed', 'rejected', 'withdrawn',
                       'closed_duplicate')),
    version        BIGINT NOT NULL DEFAULT 1,
    full_name      TEXT NOT NULL,
    name_kana      TEXT NOT NULL,
    phone          TEXT NOT NULL,
    total_claimed  BIGINT NOT NULL CHECK (total_claimed >= 0),
    declared_at    TIMESTAMPTZ NOT NULL,
    submitted_at   TIMESTAMPTZ NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX claims_seq_key ON claims (seq);
CREATE UNIQUE INDEX claims_reference_key ON claims (reference);
CREATE INDEX claims_claimant ON claims (claimant_id);
CREATE INDEX claims_queue ON claims (state, submitted_at);

CREATE TABLE debit_lines (
    id             UUID PRIMARY KEY,
    claim_id       UUID NOT NULL REFERENCES claims (id),
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

CREATE TABLE claim_events (
    id         UUID PRIMARY KEY,
    claim_id   UUID NOT NULL REFERENCES claims (id),
    at         TIMESTAMPTZ NOT NULL,
    actor_id   UUID REFERENCES users (id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, at);
CREATE FUNCTION claim_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'claim_events are append-only';
END;
$$;
CREATE TRIGGER claim_events_no_change BEFORE UPDATE OR DELETE ON claim_events
    FOR EACH ROW EXECUTE FUNCTION claim_events_append_only();

CREATE TABLE outbox (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

CREATE TABLE auth_attempts (
    id  UUID PRIMARY KEY,
    key TEXT NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_attempts_key ON auth_attempts (key, at);
