-- Administration (PostgreSQL). Keep in step with ../sqlite/0013_admin.sql.

-- What admins did to accounts (invite, role, disable, enable), written in
-- the action's transaction and never changed.
CREATE TABLE admin_actions (
    id        UUID PRIMARY KEY,
    actor_id  UUID NOT NULL REFERENCES users (id),
    action    TEXT NOT NULL CHECK (action IN ('invite', 'role', 'disable', 'enable')),
    target_id UUID NOT NULL REFERENCES users (id),
    detail    TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX admin_actions_at ON admin_actions (at);
CREATE FUNCTION admin_actions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'admin_actions are append-only';
END;
$$;
CREATE TRIGGER admin_actions_no_change BEFORE UPDATE OR DELETE ON admin_actions
    FOR EACH ROW EXECUTE FUNCTION admin_actions_append_only();

-- A staff invitation is a mailed code too: the tokens table takes a third purpose.
ALTER TABLE email_tokens DROP CONSTRAINT email_tokens_purpose_check;
ALTER TABLE email_tokens ADD CONSTRAINT email_tokens_purpose_check
    CHECK (purpose IN ('verify', 'reset', 'invite'));
