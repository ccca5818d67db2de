-- Generated projections of distributed tables.  A projection whose root
-- is distributed by its key, whose other distributed tables are
-- co-located with it by the column that links them, and whose other tables
-- are reference tables, is distributed too, co-located with its root; its
-- maintenance runs on the shards, on the workers.
--
-- The fixture (schema dist): orders distributed by id; their lines and
-- notes distributed by order_id, co-located (their primary keys hold the
-- distribution column, as Citus requires); customers and products are
-- reference tables.  tv_order embeds the customer (LEFT JOIN), the lines
-- by line number with their product (JOIN), and the visible notes, newest
-- first (a filter, NULL when none).  Statements marked "fails" are
-- expected to fail.
\set VERBOSITY terse
SET citus.shard_count = 4;
CREATE SCHEMA dist;
CREATE TABLE dist.customers (id integer PRIMARY KEY, name text NOT NULL, tier text);
CREATE TABLE dist.products (id integer PRIMARY KEY, sku text NOT NULL, name text NOT NULL);
CREATE TABLE dist.orders (id integer PRIMARY KEY, customer_id integer, status text NOT NULL);
CREATE TABLE dist.order_lines (order_id integer NOT NULL, id integer NOT NULL,
	line_no integer NOT NULL, product_id integer NOT NULL, qty integer NOT NULL,
	PRIMARY KEY (order_id, id));
CREATE TABLE dist.order_notes (order_id integer NOT NULL, id integer NOT NULL,
	body text NOT NULL, hidden boolean NOT NULL DEFAULT false,
	PRIMARY KEY (order_id, id));
SELECT create_reference_table('dist.customers');
SELECT create_reference_table('dist.products');
SELECT create_distributed_table('dist.orders', 'id');
SELECT create_distributed_table('dist.order_lines', 'order_id', colocate_with => 'dist.orders');
SELECT create_distributed_table('dist.order_notes', 'order_id', colocate_with => 'dist.orders');
CREATE INDEX ON dist.orders (customer_id);
CREATE INDEX ON dist.order_lines (product_id);
INSERT INTO dist.customers SELECT i, 'Customer ' || i, (ARRAY['gold', 'silver', NULL])[i % 3 + 1]
FROM generate_series(1, 12) i;
INSERT INTO dist.products SELECT i, 'SKU-' || i, 'Product ' || i FROM generate_series(1, 20) i;
INSERT INTO dist.orders SELECT i, CASE WHEN i % 7 <> 0 THEN i % 12 + 1 END,
	(ARRAY['open', 'paid', 'shipped'])[i % 3 + 1]
FROM generate_series(1, 60) i;
INSERT INTO dist.order_lines SELECT o, o * 10 + j, j % 3 + 1, (o * 3 + j) % 20 + 1, j + 1
FROM generate_series(1, 60) o, generate_series(0, o % 5 - 1) j;
INSERT INTO dist.order_notes SELECT o, o * 10 + j, 'note ' || j, j % 3 = 2
FROM generate_series(1, 60) o, generate_series(0, o % 4 - 1) j;

-- the query, also as a view: the reference the checks compare with
\set query 'SELECT o.id, jsonb_build_object(''id'', o.id, ''status'', o.status, ''customer'', jsonb_build_object(''id'', cu.id, ''name'', cu.name, ''tier'', cu.tier), ''lines'', coalesce((SELECT jsonb_agg(jsonb_build_object(''line_no'', l.line_no, ''qty'', l.qty, ''product'', jsonb_build_object(''sku'', p.sku, ''name'', p.name)) ORDER BY l.line_no, l.id) FROM dist.order_lines l JOIN dist.products p ON p.id = l.product_id WHERE l.order_id = o.id), ''[]''), ''notes'', (SELECT jsonb_agg(jsonb_build_object(''id'', n.id, ''body'', n.body) ORDER BY n.id DESC) FROM dist.order_notes n WHERE n.order_id = o.id AND NOT n.hidden)) AS data FROM dist.orders o LEFT JOIN dist.customers cu ON cu.id = o.customer_id'
CREATE VIEW dist.v_order AS :query;
SELECT jsonb_ivm_create_projection('dist.tv_order', :'query');
-- a projection of reference tables is a reference table, whose copy each
-- node keeps; a distributed projection can embed it (its changes cascade
-- on every node)
SELECT jsonb_ivm_create_projection('dist.tv_customer', $q$
	SELECT c.id, jsonb_build_object('name', c.name, 'tier', c.tier) AS data FROM dist.customers c
$q$);
SELECT jsonb_ivm_create_projection('dist.tv_order_customer', $q$
	SELECT o.id, jsonb_build_object('status', o.status, 'customer', tc.data) AS data
	FROM dist.orders o LEFT JOIN dist.tv_customer tc ON tc.id = o.customer_id
$q$);

-- section: the layout: the projection is distributed, co-located with its
-- root, and maintained on the shards
SELECT logicalrelid, partmethod,
	colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'dist.orders'::regclass) AS with_orders
FROM pg_dist_partition WHERE logicalrelid::text LIKE 'dist.%' ORDER BY 1::text;
SELECT source, change, maintenance FROM jsonb_ivm_explain_projection('dist.tv_order')
WHERE change <> 'TRUNCATE' ORDER BY 1, 2;
-- the triggers of INSERT, UPDATE and DELETE on every shard of each
-- projection's sources: on each worker its two shards of each distributed
-- table and its copy of each reference table, (6 + 2) * 3 for tv_order,
-- 1 * 3 for tv_customer, (2 + 1) * 3 for tv_order_customer; on the
-- coordinator its copies of the reference tables (TRUNCATE's trigger stays
-- on the distributed table)
SELECT r.success, r.result AS shard_triggers, count(*) AS nodes
FROM run_command_on_all_nodes($$SELECT count(*) FROM pg_trigger t
	WHERE t.tgfoid = 'public.jsonb_ivm_shard_trigger'::regproc AND t.tgrelid::regclass::text ~ '_\d+$'$$) r
GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS rows, count(*) FILTER (WHERE data->'notes' = 'null') AS without_notes FROM dist.tv_order;
SELECT * FROM jsonb_ivm_check_projection('dist.tv_order');

-- section: every change kind, checked after each statement
\set ECHO none
CREATE FUNCTION dist.check() RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(p || ' ' || c.key || ': ' || c.problem, '; ' ORDER BY p, c.key), 'equal')
	FROM unnest(ARRAY['tv_order', 'tv_customer', 'tv_order_customer']) p,
		jsonb_ivm_check_projection('dist.' || p) c
$$;
\set ECHO all
INSERT INTO dist.order_lines VALUES (1, 900, 0, 5, 1), (2, 901, 9, 6, 2), (3, 902, 2, 7, 3);
SELECT dist.check();
UPDATE dist.order_lines SET qty = qty + 1 WHERE id % 4 = 0;
SELECT dist.check();
UPDATE dist.order_lines SET line_no = 10 - line_no WHERE order_id IN (4, 9, 14);
SELECT dist.check();
UPDATE dist.order_lines SET product_id = product_id % 20 + 1 WHERE order_id = 8;
SELECT dist.check();
DELETE FROM dist.order_lines WHERE id % 5 = 1;
SELECT dist.check();
INSERT INTO dist.order_notes VALUES (5, 950, 'late', false), (6, 951, 'hidden', true);
SELECT dist.check();
UPDATE dist.order_notes SET hidden = NOT hidden WHERE order_id IN (3, 6, 7);
SELECT dist.check();
DELETE FROM dist.order_notes WHERE order_id = 11;
SELECT dist.check();
-- reference tables: every node updates the documents of its shards
UPDATE dist.customers SET name = name || '*', tier = 'gold' WHERE id % 2 = 0;
SELECT dist.check();
UPDATE dist.products SET name = upper(name) WHERE id < 8;
SELECT dist.check();
INSERT INTO dist.customers VALUES (13, 'Customer 13', NULL);
UPDATE dist.orders SET customer_id = 13 WHERE id IN (7, 14);
SELECT dist.check();
DELETE FROM dist.customers WHERE id = 13;
SELECT dist.check();
-- the root: merge, insert, delete
UPDATE dist.orders SET status = 'returned' WHERE id % 6 = 0;
SELECT dist.check();
INSERT INTO dist.orders VALUES (61, 1, 'open'), (62, NULL, 'paid');
INSERT INTO dist.order_lines VALUES (61, 610, 1, 3, 1);
SELECT dist.check();
DELETE FROM dist.orders WHERE id IN (2, 62);
SELECT dist.check();
-- several statements in one transaction, each seen by the next
BEGIN;
UPDATE dist.customers SET name = 'Renamed' WHERE id = 3;
SELECT dist.check();
INSERT INTO dist.order_lines VALUES (3, 903, 4, 1, 1);
SELECT dist.check();
SELECT data->'customer'->>'name' AS customer, jsonb_array_length(data->'lines') AS lines
FROM dist.tv_order WHERE id = 3;
COMMIT;
-- TRUNCATE of a source refreshes the projection
TRUNCATE dist.order_notes;
SELECT dist.check();
INSERT INTO dist.order_notes SELECT o, o * 10, 'again', false FROM generate_series(1, 30) o;
SELECT dist.check();
-- fails: Citus moves no row to another shard
UPDATE dist.order_lines SET order_id = 5 WHERE id = 610;

-- section: the checks can fail, and the projection is protected
-- fails: a direct write, on the coordinator or on a shard
UPDATE dist.tv_order SET data = '{}' WHERE id = 1;
TRUNCATE dist.tv_order;
-- a write that the guard lets through (its setting, sent to the nodes)
-- leaves the projection behind; a refresh brings it back
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL jsonb_ivm.maintenance = on;
UPDATE dist.tv_order SET data = '{}' WHERE id IN (1, 40);
COMMIT;
SELECT dist.check();
SELECT jsonb_ivm_refresh_projection('dist.tv_order');
SELECT dist.check();

-- section: a shard group moved to the other worker: Citus creates the
-- triggers on the new placements, and the functions are on every node
-- (the move connects to the coordinator itself, by citus.local_hostname)
SELECT set_config('citus.local_hostname', nodename, false) IS NOT NULL AS set
FROM pg_dist_node WHERE groupid = 0;
SELECT count(*) AS moved FROM (
	SELECT citus_move_shard_placement(s.shardid, p.nodename, p.nodeport, n.nodename, n.nodeport,
		shard_transfer_mode => 'block_writes')
	FROM pg_dist_shard s
	JOIN pg_dist_shard_placement p USING (shardid)
	JOIN pg_dist_node n ON n.groupid > 0 AND n.nodeport <> p.nodeport
	WHERE s.logicalrelid = 'dist.orders'::regclass
	ORDER BY s.shardid LIMIT 1) m;
UPDATE dist.order_lines SET qty = qty + 1;
UPDATE dist.customers SET tier = 'silver' WHERE tier IS NULL;
INSERT INTO dist.order_notes SELECT o, 3000 + o, 'moved', false FROM generate_series(1, 60) o;
SELECT dist.check();

-- section: a shard group split: the new shards get no maintenance until
-- a refresh generates it
SELECT count(*) AS split FROM (
	SELECT citus_split_shard_by_split_points(s.shardid,
		ARRAY[((s.shardminvalue::bigint + s.shardmaxvalue::bigint) / 2)::text],
		ARRAY[n.nodeid, n.nodeid], shard_transfer_mode => 'block_writes')
	FROM pg_dist_shard s
	JOIN pg_dist_placement l USING (shardid)
	JOIN pg_dist_node n ON n.groupid = l.groupid
	WHERE s.logicalrelid = 'dist.orders'::regclass
	ORDER BY s.shardid DESC LIMIT 1) x;
CREATE FUNCTION dist.sqlstate_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	RETURN '00000';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;
-- 42883: the function of a new shard does not exist
SELECT dist.sqlstate_of('UPDATE dist.order_lines SET qty = qty + 1') AS change_of_new_shards;
SELECT jsonb_ivm_refresh_projection('dist.tv_order');
SELECT jsonb_ivm_refresh_projection('dist.tv_order_customer');
UPDATE dist.order_lines SET qty = qty + 1;
UPDATE dist.products SET name = name || '/' WHERE id % 3 = 0;
DELETE FROM dist.orders WHERE id % 9 = 4;
SELECT dist.check();

-- section: a random workload of every change kind, :transactions
-- transactions of one statement, checked after every one; pgbench runs the
-- same steps with 8 clients afterwards
\set ECHO none
CREATE FUNCTION dist.step(seed integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k integer := seed % 17;
	a integer := (seed / 17) % 70 + 1;
	b integer := (seed / 1190) % 20 + 1;
	c integer := (seed / 23800) % 1000;
BEGIN
	CASE k
	-- (neither (ARRAY[...])[c % 3 + 1], which Citus 13.2 crashes
	-- deparsing in UPDATE ... SET with a parameter, nor CASE c % 3 WHEN,
	-- which it deparses wrong)
	WHEN 0 THEN UPDATE dist.orders SET status = CASE WHEN c % 3 = 0 THEN 'open' WHEN c % 3 = 1 THEN 'paid' ELSE 'shipped' END WHERE id = a;
	WHEN 1 THEN UPDATE dist.orders SET customer_id = CASE WHEN c % 5 <> 0 THEN b % 12 + 1 END WHERE id = a;
	WHEN 2 THEN INSERT INTO dist.orders VALUES (a, b % 12 + 1, 'open') ON CONFLICT (id) DO NOTHING;
	WHEN 3 THEN DELETE FROM dist.orders WHERE id = a AND c % 3 = 0;
	WHEN 4 THEN INSERT INTO dist.order_lines VALUES (a, 1000 + c, c % 4, b, 1) ON CONFLICT DO NOTHING;
	WHEN 5 THEN UPDATE dist.order_lines SET qty = qty + 1 WHERE order_id = a;
	WHEN 6 THEN UPDATE dist.order_lines SET line_no = (line_no + c) % 5 WHERE order_id IN (a, a + 1, a + 2);
	WHEN 7 THEN UPDATE dist.order_lines SET product_id = b WHERE order_id = a AND id % 2 = c % 2;
	WHEN 8 THEN DELETE FROM dist.order_lines WHERE order_id = a AND id % 3 = c % 3;
	WHEN 9 THEN INSERT INTO dist.order_notes VALUES (a, 2000 + c, 'n' || c, c % 4 = 0) ON CONFLICT DO NOTHING;
	WHEN 10 THEN UPDATE dist.order_notes SET hidden = NOT hidden WHERE order_id = a;
	WHEN 11 THEN UPDATE dist.order_notes SET body = body || '.' WHERE order_id IN (a, b);
	WHEN 12 THEN DELETE FROM dist.order_notes WHERE order_id = a AND id % 2 = c % 2;
	WHEN 13 THEN UPDATE dist.customers SET name = 'Customer ' || b || '/' || c WHERE id = b % 12 + 1;
	WHEN 14 THEN UPDATE dist.products SET name = 'Product ' || b || '/' || c WHERE id = b;
	WHEN 15 THEN UPDATE dist.order_lines SET qty = qty + 1 WHERE product_id = b;
	ELSE UPDATE dist.customers SET tier = CASE WHEN c % 2 = 0 THEN 'gold' END WHERE id % 4 = c % 4;
	END CASE;
	RETURN k;
END
$$;
CREATE TABLE dist.workload_problem (step integer, problem text);
CREATE TABLE dist.workload_kind (kind integer);
CREATE PROCEDURE dist.run_workload(steps integer)
LANGUAGE plpgsql AS $$
DECLARE
	problem text;
BEGIN
	PERFORM setseed(0.25);
	FOR i IN 1 .. steps LOOP
		INSERT INTO dist.workload_kind SELECT dist.step((random() * 2147483646)::integer)::integer;
		problem := dist.check();
		IF problem <> 'equal' THEN
			INSERT INTO dist.workload_problem VALUES (i, problem);
		END IF;
		COMMIT;
	END LOOP;
END
$$;
\set ECHO all
CALL dist.run_workload(:transactions);
SELECT count(DISTINCT kind) AS kinds, count(*) AS steps FROM dist.workload_kind;
SELECT count(*) AS steps_with_a_difference FROM dist.workload_problem;
-- byte for byte the view, both ways
SELECT count(*) AS differing FROM (
	(SELECT id, data::text FROM dist.tv_order EXCEPT ALL SELECT id, data::text FROM dist.v_order)
	UNION ALL
	(SELECT id, data::text FROM dist.v_order EXCEPT ALL SELECT id, data::text FROM dist.tv_order)) x;

-- section: layouts that are refused, with the layout that works
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TABLE dist.carriers (id integer PRIMARY KEY, name text);
SELECT create_distributed_table('dist.carriers', 'id', colocate_with => 'dist.orders');
-- fails: a distributed table that is not linked by its distribution column
SELECT jsonb_ivm_create_projection('dist.tv_carrier', $q$
	SELECT c.id, jsonb_build_object('name', c.name, 'lines', (
		SELECT jsonb_agg(l.qty ORDER BY l.order_id, l.id) FROM dist.order_lines l WHERE l.product_id = c.id)) AS data
	FROM dist.carriers c
$q$);
\echo :LAST_ERROR_SQLSTATE
-- fails: a reference table as root, with a distributed table
SELECT jsonb_ivm_create_projection('dist.tv_customer_orders', $q$
	SELECT c.id, jsonb_build_object('name', c.name, 'orders', (
		SELECT jsonb_agg(o.id ORDER BY o.id) FROM dist.orders o WHERE o.customer_id = c.id)) AS data
	FROM dist.customers c
$q$);
-- fails: a plain table among Citus tables
CREATE TABLE public.plain_tags (id integer PRIMARY KEY, label text);
SELECT jsonb_ivm_create_projection('dist.tv_tagged', $q$
	SELECT o.id, jsonb_build_object('tag', jsonb_build_object('label', t.label)) AS data
	FROM dist.orders o LEFT JOIN public.plain_tags t ON t.id = o.customer_id
$q$);
-- fails: a distributed parent reached by a column that is not the root's
-- distribution column
SELECT jsonb_ivm_create_projection('dist.tv_order_carrier', $q$
	SELECT o.id, jsonb_build_object('carrier', jsonb_build_object('name', c.name)) AS data
	FROM dist.orders o LEFT JOIN dist.carriers c ON c.id = o.customer_id
$q$);
\set VERBOSITY terse
-- nothing of them is left behind
SELECT count(*) FROM pg_class c WHERE c.relname IN ('tv_carrier', 'tv_customer_orders', 'tv_tagged', 'tv_order_carrier');
SELECT projection FROM jsonb_ivm_projections WHERE schema_name = 'dist' ORDER BY 1;

