-- API keys for bank systems (PostgreSQL). Keep in step with ../sqlite/0006_api_keys.sql.

-- A key is shown once; only its hash is kept. Each key acts for one bank.
CREATE TABLE api_keys (
    id           UUID PRIMARY KEY,
    bank_code    TEXT NOT NULL REFERENCES banks (code),
    label        TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    created_by   UUID NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_bank ON api_keys (bank_code);
