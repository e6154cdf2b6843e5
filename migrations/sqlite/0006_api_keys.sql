-- API keys for bank systems (SQLite). Keep in step with ../postgres/0006_api_keys.sql.

-- A key is shown once; only its hash is kept. Each key acts for one bank.
CREATE TABLE api_keys (
    id           BLOB PRIMARY KEY,
    bank_code    TEXT NOT NULL REFERENCES banks (code),
    label        TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    created_by   BLOB NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_bank ON api_keys (bank_code);
