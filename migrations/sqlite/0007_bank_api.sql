-- The REST API for bank systems, grown up (SQLite). Keep in step with ../postgres/0007_bank_api.sql.

-- A bank's lead user manages the bank's API keys (bank_staff only).
ALTER TABLE users ADD COLUMN bank_lead BOOLEAN NOT NULL DEFAULT FALSE;

-- What a key does is recorded under a user of its own that cannot log in
-- (no password, never verified): answers and imports name the key.
ALTER TABLE api_keys ADD COLUMN actor_id BLOB REFERENCES users (id);

-- A write sent with an Idempotency-Key: the first request's fingerprint and
-- the response it got, replayed for the same key and body, 409 otherwise.
-- `status` 0 while the first request is still being handled.
CREATE TABLE idempotency_keys (
    api_key_id   BLOB NOT NULL REFERENCES api_keys (id),
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- A large list is worked through in the background, a few thousand rows
-- per transaction: where it stands, readable by every server process.
ALTER TABLE bank_imports ADD COLUMN status TEXT NOT NULL DEFAULT 'done'
    CHECK (status IN ('processing', 'done', 'failed'));
ALTER TABLE bank_imports ADD COLUMN rows_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bank_imports ADD COLUMN rows_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bank_imports ADD COLUMN source TEXT NOT NULL DEFAULT 'upload'
    CHECK (source IN ('upload', 'api'));

-- Each chunk of an import asks which claimed lines a row already matched.
CREATE INDEX bank_debits_line ON bank_debits (line_id);
