-- Invitations to claim (SQLite). Keep in step with ../postgres/0005_invitations.sql.

-- A letter to the holder of an account a bank reported debits on, with a
-- one-time claim code (only its hash is kept). Redeeming it starts a claim
-- that already holds those debits.
CREATE TABLE invitations (
    id             BLOB PRIMARY KEY,
    code_hash      TEXT NOT NULL,
    bank_code      TEXT NOT NULL REFERENCES banks (code),
    branch_code    TEXT NOT NULL,
    account_type   TEXT NOT NULL CHECK (account_type IN ('ordinary', 'current', 'savings')),
    account_number TEXT NOT NULL,
    holder_kana    TEXT NOT NULL,
    created_by     BLOB NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    used_at        TEXT,
    used_by        BLOB REFERENCES users (id),
    draft_id       BLOB
);
CREATE UNIQUE INDEX invitations_code ON invitations (code_hash);

ALTER TABLE bank_debits ADD COLUMN invitation_id BLOB REFERENCES invitations (id);
