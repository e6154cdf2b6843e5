-- One row per login (PostgreSQL). Keep in step with ../sqlite/0019_sessions_and_codes.sql.
--
-- The session (tower-sessions' table) holds this row's id; the guard reads
-- the row on every request, so a login ends everywhere at once when the row
-- is ended (log out, "end this session", a password reset or change, a
-- two-step login reset, a role change, disabling) or when it is older than
-- the role's absolute lifetime (expires_at, set at login), whatever the
-- activity. The owner sees their live rows on the account page.
CREATE TABLE login_sessions (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id),
    started_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    ended_at     TIMESTAMPTZ,
    -- What the owner needs to recognise it: the browser and the address.
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    CHECK (expires_at > started_at)
);
CREATE INDEX login_sessions_user ON login_sessions (user_id) WHERE ended_at IS NULL;

-- The epoch counter this replaces: sessions from before this version have no
-- row and end at their next request.
ALTER TABLE users DROP COLUMN session_epoch;

-- Mailed codes (verify, reset, invite) are looked up by their first four
-- characters (the selector, not secret) and checked by the hash of the
-- whole code: a wrong code whose selector names an open token counts
-- against that token, which stops working after five (the code is then
-- asked for again). Tokens from before have no selector and expire as they
-- were.
ALTER TABLE email_tokens ADD COLUMN selector TEXT NOT NULL DEFAULT '';
ALTER TABLE email_tokens ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
CREATE INDEX email_tokens_selector ON email_tokens (selector, purpose) WHERE used_at IS NULL;
