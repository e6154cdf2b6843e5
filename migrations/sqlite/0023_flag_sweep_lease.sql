-- The flag sweep of each process takes the dirty claims it computes: a
-- lease until this moment (SQLite's one writer takes them in turn), so two
-- processes never compute the same claim at once and a process that dies
-- mid-sweep leaves its claims to the others when the lease ends.
ALTER TABLE claims ADD COLUMN flags_lease_until TEXT;
