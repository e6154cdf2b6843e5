-- Two-step login (SQLite). Keep in step with ../postgres/0014_mfa.sql.

-- The TOTP secret (base32), when it was confirmed, and the last time step a
-- code was accepted for (a code is accepted once; older steps are spent).
ALTER TABLE users ADD COLUMN mfa_secret TEXT;
ALTER TABLE users ADD COLUMN mfa_enrolled_at TEXT;
ALTER TABLE users ADD COLUMN mfa_last_step INTEGER;

-- Recovery codes: shown once, stored hashed, each used once.
CREATE TABLE mfa_recovery_codes (
    id         BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id);

-- An admin's reset of someone's two-step login is an admin action too
-- (SQLite cannot change a CHECK: the table is rebuilt with its triggers).
CREATE TABLE admin_actions_new (
    id        BLOB PRIMARY KEY,
    actor_id  BLOB NOT NULL REFERENCES users (id),
    action    TEXT NOT NULL CHECK (action IN ('invite', 'role', 'disable', 'enable', 'mfa_reset')),
    target_id BLOB NOT NULL REFERENCES users (id),
    detail    TEXT NOT NULL,
    at        TEXT NOT NULL
);
INSERT INTO admin_actions_new (id, actor_id, action, target_id, detail, at)
    SELECT id, actor_id, action, target_id, detail, at FROM admin_actions;
DROP TABLE admin_actions;
ALTER TABLE admin_actions_new RENAME TO admin_actions;
CREATE INDEX admin_actions_at ON admin_actions (at);
CREATE TRIGGER admin_actions_no_update BEFORE UPDATE ON admin_actions
BEGIN SELECT RAISE(ABORT, 'admin_actions are append-only'); END;
CREATE TRIGGER admin_actions_no_delete BEFORE DELETE ON admin_actions
BEGIN SELECT RAISE(ABORT, 'admin_actions are append-only'); END;
