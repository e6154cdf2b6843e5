-- Two-step login (PostgreSQL). Keep in step with ../sqlite/0014_mfa.sql.

-- The TOTP secret (base32), when it was confirmed, and the last time step a
-- code was accepted for (a code is accepted once; older steps are spent).
ALTER TABLE users ADD COLUMN mfa_secret TEXT;
ALTER TABLE users ADD COLUMN mfa_enrolled_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN mfa_last_step BIGINT;

-- Recovery codes: shown once, stored hashed, each used once.
CREATE TABLE mfa_recovery_codes (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id);

-- An admin's reset of someone's two-step login is an admin action too.
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_check;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_check
    CHECK (action IN ('invite', 'role', 'disable', 'enable', 'mfa_reset'));
