-- After distributed.sql and the clients: drop the distributed projection.
\set VERBOSITY terse
-- section: drop: the functions and triggers go from every node, but for
-- the TRUNCATE triggers that Citus copied to the moved and split shards
-- and does not drop there, which do nothing on a shard
SELECT jsonb_ivm_drop_projection('dist.tv_order');
-- a projection table dropped by DROP TABLE ... CASCADE goes as a whole too
DROP TABLE dist.tv_order_customer CASCADE;
SELECT jsonb_ivm_drop_projection('dist.tv_customer');
SELECT count(*) AS definitions FROM jsonb_ivm_projection WHERE schema_name = 'dist';
SELECT r.success, r.result AS left_behind, count(*) AS nodes
FROM run_command_on_all_nodes($$SELECT coalesce(string_agg(x, ', ' ORDER BY x), 'nothing') FROM (
	SELECT t.tgname::text FROM pg_trigger t WHERE t.tgfoid = 'public.jsonb_ivm_shard_trigger'::regproc
	UNION ALL SELECT p.proname FROM pg_proc p WHERE p.proname ~ '^tv_(order|customer).*_ivm') o(x)$$) r
GROUP BY 1, 2 ORDER BY 1, 2;
UPDATE dist.order_lines SET qty = qty + 1;
UPDATE dist.customers SET tier = NULL;
TRUNCATE dist.order_notes;
SELECT count(*) FROM dist.order_notes;
