-- Administration (SQLite). Keep in step with ../postgres/0013_admin.sql.

-- What admins did to accounts (invite, role, disable, enable), written in
-- the action's transaction and never changed.
CREATE TABLE admin_actions (
    id        BLOB PRIMARY KEY,
    actor_id  BLOB NOT NULL REFERENCES users (id),
    action    TEXT NOT NULL CHECK (action IN ('invite', 'role', 'disable', 'enable')),
    target_id BLOB NOT NULL REFERENCES users (id),
    detail    TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX admin_actions_at ON admin_actions (at);
CREATE TRIGGER admin_actions_no_update BEFORE UPDATE ON admin_actions
BEGIN SELECT RAISE(ABORT, 'admin_actions are append-only'); END;
CREATE TRIGGER admin_actions_no_delete BEFORE DELETE ON admin_actions
BEGIN SELECT RAISE(ABORT, 'admin_actions are append-only'); END;

-- A staff invitation is a mailed code too: the tokens table takes a third
-- purpose (SQLite cannot change a CHECK, so the table is rebuilt as it was).
CREATE TABLE email_tokens_new (
    token_hash TEXT PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'invite')),
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO email_tokens_new (token_hash, user_id, purpose, expires_at, used_at, created_at)
    SELECT token_hash, user_id, purpose, expires_at, used_at, created_at FROM email_tokens;
DROP TABLE email_tokens;
ALTER TABLE email_tokens_new RENAME TO email_tokens;
