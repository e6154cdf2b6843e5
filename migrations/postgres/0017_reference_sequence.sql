-- Claim references from a sequence on PostgreSQL. The counter row
-- (`counters.claim_reference`) was locked by every submission from its
-- UPDATE to its COMMIT, so concurrent submissions, from every process,
-- queued behind one another (66 ms on average under 16 clients in the
-- bench). A sequence hands out numbers without a lock held to the commit;
-- a submission that rolls back after taking one leaves a gap in the
-- numbering (references are names, not a count: the dashboard counts claims).
CREATE SEQUENCE claim_reference_seq;
SELECT setval('claim_reference_seq', GREATEST(value, 1), value > 0)
  FROM counters WHERE name = 'claim_reference';
DELETE FROM counters WHERE name = 'claim_reference';
