-- One row per login (PostgreSQL). Keep in step with ../sqlite/0019_login_sessions.sql.
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
