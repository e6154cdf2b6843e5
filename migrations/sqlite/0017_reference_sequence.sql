-- PostgreSQL's 0017 moves claim references to a sequence. SQLite has one
-- writer at a time, so its counter row (`counters.claim_reference`) costs
-- no waiting and stays: the two folders keep one numbering of migrations.
SELECT 1;
