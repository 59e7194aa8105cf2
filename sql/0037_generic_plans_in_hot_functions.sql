-- The queue's claim and success functions let PostgreSQL choose, per statement, between planning
-- anew on each call (custom plans) and one generic plan. With jobs queued it kept planning: a
-- claim of one job out of 2,000 queued took 0.42 ms that way and 0.25 ms on the generic plan
-- (psql, this machine). These functions already fix their plans' shape (sql/0009, 0016: index
-- scans and nested loops, whatever the statistics say), so the generic plan, made once per
-- connection, is the plan a custom one would be: for a claim of 500 (auto_explain), nested loops
-- over jobs_claim_by_organization and the primary key, as before.
ALTER FUNCTION usersync_claim_jobs(text, integer, integer, double precision, uuid) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION usersync_succeed_jobs(text, uuid[], bigint[]) SET plan_cache_mode = force_generic_plan;
