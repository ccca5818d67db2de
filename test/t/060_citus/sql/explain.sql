-- Where the cascade's statements run: EXPLAIN of the native cascade and of
-- the jsonb_ivm cascade for a change of server 7, which sits in ten
-- configurations on both workers.  Each UPDATE of a distributed table is
-- one task per shard, sent to the worker that holds it, whose query joins
-- only shards of that worker (co-located ones and its copy of the
-- reference tables) and calls jsonb_set, jsonb_agg or jsonb_ivm there: no
-- subplan collects rows on the coordinator, and no document leaves its
-- worker.  An UPDATE of a reference table runs on every node's copy.
\set server 7
\set new_ip '10.7.0.1'
\set explain 'EXPLAIN (VERBOSE, COSTS OFF)'
-- citus.explain_all_tasks would show every shard's task; one is enough
\i test/t/060_citus/sql/cascade_native.sql
\i test/t/060_citus/sql/cascade_ivm.sql
