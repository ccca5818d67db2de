-- bench/operations.sql: the per-operation benchmarks of bench/run.sh.
--
-- Each operation has three contenders on the same data, written once as SQL
-- expressions in bench.op_expr, plus a floor:
--   seed   the seed plan's native SQL: re-aggregate the array with
--          jsonb_agg/CASE, rebuild the object with jsonb_object_agg
--   best   the best native SQL a skilled user writes: find the index with
--          jsonb_array_elements ... WITH ORDINALITY and jsonb_set at that
--          index, jsonb_set(d, p, (d #> p) || src) to merge, || to append,
--          (a #> p) IS DISTINCT FROM (b #> p) to compare
--   ivm    the jsonb_ivm function
--   floor  detoast + memcpy of the document (bench.detoast_copy): what any
--          function that returns a new document pays at least; for a
--          comparison, detoasting both documents
-- An expression names its inputs @d (the document), @m (the match value),
-- @u (the updates, source or new element) and @d2 (the other document, for
-- comparisons); each level substitutes its own: table columns, PL/pgSQL
-- variables.
--
-- Levels (the runner, bench/run.sh, calls these procedures in rounds, the
-- contenders interleaved, and reads bench.sample):
--   compute    the document already in memory (a PL/pgSQL variable holding
--              an uncompressed, detoasted copy), n calls in a loop; the loop
--              alone ("loop") is measured too and subtracted
--   function   one SELECT over every document of the fixture, detoast
--              included, no writes
--   statement  one UPDATE of every document, in a transaction rolled back;
--              the floor rewrites the same rows with the identity function
--
-- Needs bench/cascade_lib.sql (schema bench, bench.detoast_copy).

-- the operations and their contenders --------------------------------------

CREATE TABLE IF NOT EXISTS bench.op (
	op text PRIMARY KEY,
	ord integer NOT NULL,
	title text NOT NULL,
	doc text NOT NULL,				-- configuration, ranked (a configuration whose
									-- servers carry their priority) or allocation
	returns text NOT NULL,			-- jsonb or boolean
	writes boolean NOT NULL			-- has a statement level
);

CREATE TABLE IF NOT EXISTS bench.op_expr (
	op text REFERENCES bench.op,
	contender text,
	expr text NOT NULL,
	PRIMARY KEY (op, contender)
);

TRUNCATE bench.op_expr, bench.op;

INSERT INTO bench.op VALUES
	('update', 1, 'jsonb_array_update_where: merge {"ip": ...} into the middle server of dns_servers',
		'configuration', 'jsonb', true),
	('upsert_replace', 2, 'jsonb_array_upsert_where: replace the middle server of dns_servers',
		'configuration', 'jsonb', true),
	('upsert_append', 3, 'jsonb_array_upsert_where: append a new server to dns_servers',
		'configuration', 'jsonb', true),
	('merge', 4, 'jsonb_merge_at_path: merge {"name", "gateway_ip"} into network_configuration',
		'allocation', 'jsonb', true),
	('changed', 5, 'jsonb_has_path_changed: network_configuration of two allocations differing elsewhere',
		'allocation', 'boolean', false),
	('delete', 6, 'jsonb_array_delete_where: remove the middle server of dns_servers',
		'configuration', 'jsonb', true),
	('insert', 7, 'jsonb_array_insert_where: a new server joins dns_servers at the middle priority',
		'ranked', 'jsonb', true),
	('batch', 8, 'jsonb_array_update_where_batch: merge {"ip": ...} into every fifth server of dns_servers',
		'configuration', 'jsonb', true),
	('deep_merge', 9, 'jsonb_deep_merge: {"network_configuration": {2 keys}, "machine": {1 key}}',
		'allocation', 'jsonb', true),
	('merge_patch', 10, 'jsonb_merge_patch: set 1 and delete 1 key of network_configuration, set 1 of machine',
		'allocation', 'jsonb', true);

INSERT INTO bench.op_expr VALUES
	-- update one element found by key
	('update', 'seed', $$jsonb_set(@d, '{dns_servers}',
		(SELECT jsonb_agg(CASE WHEN x.elem->'id' = @m THEN x.elem || @u ELSE x.elem END ORDER BY x.ord)
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)))$$),
	('update', 'best', $$coalesce(
		(SELECT jsonb_set(@d, ARRAY['dns_servers', (x.ord - 1)::text], x.elem || @u)
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)
		 WHERE x.elem->'id' = @m LIMIT 1), @d)$$),
	('update', 'ivm', $$jsonb_array_update_where(@d, '{dns_servers}', 'id', @m, @u)$$),
	('update', 'floor', $$bench.detoast_copy(@d)$$),
	-- upsert: replace the element found by key, or append
	('upsert_replace', 'seed', $$jsonb_set(@d, '{dns_servers}',
		(SELECT coalesce(jsonb_agg(CASE WHEN x.elem->'id' = @m THEN @u ELSE x.elem END ORDER BY x.ord), '[]')
			|| CASE WHEN coalesce(bool_or(x.elem->'id' = @m), false) THEN '[]'::jsonb
				ELSE jsonb_build_array(@u) END
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)))$$),
	('upsert_replace', 'best', $$coalesce(
		(SELECT jsonb_set(@d, ARRAY['dns_servers', (x.ord - 1)::text], @u)
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)
		 WHERE x.elem->'id' = @m LIMIT 1),
		jsonb_set(@d, '{dns_servers}', (@d->'dns_servers') || jsonb_build_array(@u)))$$),
	('upsert_replace', 'ivm', $$jsonb_array_upsert_where(@d, '{dns_servers}', 'id', @m, @u)$$),
	('upsert_replace', 'floor', $$bench.detoast_copy(@d)$$),
	-- merge an object at a path
	('merge', 'seed', $$jsonb_set(@d, '{network_configuration}',
		(SELECT jsonb_object_agg(coalesce(n.key, o.key), coalesce(n.value, o.value))
		 FROM jsonb_each(@d->'network_configuration') AS o
		 FULL JOIN jsonb_each(@u) AS n ON n.key = o.key))$$),
	('merge', 'best', $$jsonb_set(@d, '{network_configuration}', (@d #> '{network_configuration}') || @u)$$),
	('merge', 'ivm', $$jsonb_merge_at_path(@d, @u, '{network_configuration}')$$),
	('merge', 'floor', $$bench.detoast_copy(@d)$$),
	-- compare two documents at a path
	('changed', 'seed', $$(@d #>> '{network_configuration}') IS DISTINCT FROM (@d2 #>> '{network_configuration}')$$),
	('changed', 'best', $$(@d #> '{network_configuration}') IS DISTINCT FROM (@d2 #> '{network_configuration}')$$),
	('changed', 'ivm', $$jsonb_has_path_changed(@d, @d2, '{network_configuration}')$$),
	-- (a comparison returns no document: its floor is detoasting both, which
	-- jsonb_typeof does and then reads one byte)
	('changed', 'floor', $$(jsonb_typeof(@d), jsonb_typeof(@d2)) IS NOT NULL$$);

INSERT INTO bench.op_expr VALUES
	-- delete the element found by key (ids are unique: the best native SQL
	-- deletes the first match by index)
	('delete', 'seed', $$jsonb_set(@d, '{dns_servers}',
		(SELECT coalesce(jsonb_agg(x.elem ORDER BY x.ord) FILTER (WHERE x.elem->'id' IS DISTINCT FROM @m), '[]')
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)))$$),
	('delete', 'best', $$coalesce(
		(SELECT @d #- ARRAY['dns_servers', (x.ord - 1)::text]
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)
		 WHERE x.elem->'id' = @m LIMIT 1), @d)$$),
	('delete', 'ivm', $$jsonb_array_delete_where(@d, '{dns_servers}', 'id', @m)$$),
	('delete', 'floor', $$bench.detoast_copy(@d)$$),
	-- sorted insert by priority, after equal keys: the seed re-sorts the
	-- array with the new element; the best native SQL finds the first
	-- element ranked after it and inserts before it with jsonb_insert
	('insert', 'seed', $$jsonb_set(@d, '{dns_servers}',
		(SELECT jsonb_agg(x.elem ORDER BY x.elem->'priority', x.ord)
		 FROM (SELECT e.elem, e.ord FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS e (elem, ord)
			   UNION ALL SELECT @u, 2147483647) AS x))$$),
	('insert', 'best', $$coalesce(
		(SELECT jsonb_insert(@d, ARRAY['dns_servers', (x.ord - 1)::text], @u)
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)
		 WHERE x.elem->'priority' > @u->'priority' ORDER BY x.ord LIMIT 1),
		jsonb_set(@d, '{dns_servers}', (@d->'dns_servers') || jsonb_build_array(@u)))$$),
	('insert', 'ivm', $$jsonb_array_insert_where(@d, '{dns_servers}', @u, 'priority')$$),
	('insert', 'floor', $$bench.detoast_copy(@d)$$),
	-- several elements, each merged with the patch carrying its id: the
	-- seed looks each element's patch up with a subquery, the best native
	-- SQL joins the patches to the elements once
	('batch', 'seed', $$jsonb_set(@d, '{dns_servers}',
		(SELECT jsonb_agg(coalesce(x.elem || (SELECT p FROM jsonb_array_elements(@u) AS p
				WHERE p->'id' = x.elem->'id' LIMIT 1), x.elem) ORDER BY x.ord)
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)))$$),
	('batch', 'best', $$jsonb_set(@d, '{dns_servers}',
		(SELECT jsonb_agg(CASE WHEN p.p IS NULL THEN x.elem ELSE x.elem || p.p END ORDER BY x.ord)
		 FROM jsonb_array_elements(@d->'dns_servers') WITH ORDINALITY AS x (elem, ord)
		 LEFT JOIN jsonb_array_elements(@u) AS p (p) ON p.p->'id' = x.elem->'id'))$$),
	('batch', 'ivm', $$jsonb_array_update_where_batch(@d, '{dns_servers}', 'id', @u)$$),
	('batch', 'floor', $$bench.detoast_copy(@d)$$),
	-- recursive merge: the seed is a generic recursive SQL function; the
	-- best native SQL knows the shape of the source (two nested objects)
	('deep_merge', 'seed', $$bench.native_deep_merge(@d, @u)$$),
	('deep_merge', 'best', $$@d || jsonb_build_object(
		'network_configuration', (@d->'network_configuration') || (@u->'network_configuration'),
		'machine', (@d->'machine') || (@u->'machine'))$$),
	('deep_merge', 'ivm', $$jsonb_deep_merge(@d, @u)$$),
	('deep_merge', 'floor', $$bench.detoast_copy(@d)$$),
	-- RFC 7386: the same, and a null removes the key
	('merge_patch', 'seed', $$bench.native_merge_patch(@d, @u)$$),
	('merge_patch', 'best', $$@d || jsonb_build_object(
		'network_configuration', ((@d->'network_configuration')
			- ARRAY(SELECT e.k FROM jsonb_each(@u->'network_configuration') AS e (k, v) WHERE e.v = 'null'))
			|| jsonb_strip_nulls(@u->'network_configuration'),
		'machine', ((@d->'machine')
			- ARRAY(SELECT e.k FROM jsonb_each(@u->'machine') AS e (k, v) WHERE e.v = 'null'))
			|| jsonb_strip_nulls(@u->'machine'))$$),
	('merge_patch', 'ivm', $$jsonb_merge_patch(@d, @u)$$),
	('merge_patch', 'floor', $$bench.detoast_copy(@d)$$);

-- The generic native versions of the two recursive merges, as a user
-- without jsonb_ivm writes them (the seed contenders).
CREATE OR REPLACE FUNCTION bench.native_deep_merge(target jsonb, source jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
	SELECT CASE WHEN jsonb_typeof(target) = 'object' AND jsonb_typeof(source) = 'object' THEN
		target || coalesce((SELECT jsonb_object_agg(e.k,
				CASE WHEN target ? e.k THEN bench.native_deep_merge(target->e.k, e.v) ELSE e.v END)
			FROM jsonb_each(source) AS e (k, v)), '{}')
		ELSE source END
$fn$;

CREATE OR REPLACE FUNCTION bench.native_merge_patch(target jsonb, patch jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
	SELECT CASE WHEN jsonb_typeof(patch) = 'object' THEN
		(CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}' END
			- ARRAY(SELECT e.k FROM jsonb_each(patch) AS e (k, v) WHERE e.v = 'null'))
		|| coalesce((SELECT jsonb_object_agg(e.k, bench.native_merge_patch(target->e.k, e.v))
			FROM jsonb_each(patch) AS e (k, v) WHERE e.v <> 'null'), '{}')
		ELSE patch END
$fn$;

-- the append case runs the upsert expressions with other inputs
INSERT INTO bench.op_expr
SELECT 'upsert_append', contender, expr FROM bench.op_expr WHERE op = 'upsert_replace';

-- Substitute an expression's inputs.
CREATE OR REPLACE FUNCTION bench.expr(op text, contender text,
	d text, m text, u text, d2 text)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
	SELECT replace(replace(replace(replace(e.expr, '@d2', d2), '@d', d), '@m', m), '@u', u)
	FROM bench.op_expr e
	WHERE e.op = expr.op AND e.contender = expr.contender
$fn$;

-- inputs -------------------------------------------------------------------

-- Per fixture schema (bench.prepare_cases, run with that schema first in
-- search_path): the inputs of every operation for every document, in table
-- op_case.  The middle server of each configuration is the one updated or
-- replaced; the appended server gets an id no configuration holds; the
-- other allocation of "changed" differs in machine.status only, so that the
-- network_configuration of both must be compared in full.
CREATE OR REPLACE FUNCTION bench.prepare_cases()
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
	n bigint;
BEGIN
	DROP TABLE IF EXISTS op_case;
	CREATE TABLE op_case (
		op text,
		id integer,
		m jsonb,
		u jsonb,
		d2 jsonb,
		PRIMARY KEY (op, id)
	);
	-- d2 is stored like the documents (same compression, TOASTed alike)
	EXECUTE format('ALTER TABLE op_case ALTER d2 SET COMPRESSION %s',
		coalesce((SELECT CASE a.attcompression WHEN 'l' THEN 'lz4' WHEN 'p' THEN 'pglz' END
			FROM pg_attribute a
			WHERE a.attrelid = 'tv_allocation'::regclass AND a.attname = 'data'),
			'default'));

	INSERT INTO op_case (op, id, m, u)
	SELECT 'update', c.id, mid->'id', '{"ip": "9.9.9.9"}'
	FROM tv_network_configuration c,
		LATERAL (SELECT c.data->'dns_servers'->(jsonb_array_length(c.data->'dns_servers') / 2)) AS x (mid);

	INSERT INTO op_case (op, id, m, u)
	SELECT 'upsert_replace', c.id, mid->'id', mid || '{"ip": "9.9.9.9", "status": "replaced"}'
	FROM tv_network_configuration c,
		LATERAL (SELECT c.data->'dns_servers'->(jsonb_array_length(c.data->'dns_servers') / 2)) AS x (mid);

	INSERT INTO op_case (op, id, m, u)
	SELECT 'upsert_append', c.id, to_jsonb(1000000 + c.id),
		mid || jsonb_build_object('id', 1000000 + c.id, 'ip', '9.9.9.9')
	FROM tv_network_configuration c,
		LATERAL (SELECT c.data->'dns_servers'->(jsonb_array_length(c.data->'dns_servers') / 2)) AS x (mid);

	INSERT INTO op_case (op, id, u)
	SELECT 'merge', a.id, '{"name": "renamed", "gateway_ip": "10.0.0.1"}'
	FROM tv_allocation a;

	-- the server removed is the one updated
	INSERT INTO op_case (op, id, m)
	SELECT 'delete', c.id, c.m FROM op_case c WHERE c.op = 'update';

	-- the sorted insert works on configurations whose servers carry their
	-- priority (as in recipes/cqrs_projections.sql), stored like the others
	DROP TABLE IF EXISTS tv_ranked_configuration;
	CREATE TABLE tv_ranked_configuration (LIKE tv_network_configuration INCLUDING ALL);
	EXECUTE format('ALTER TABLE tv_ranked_configuration SET (%s)',
		coalesce((SELECT array_to_string(c.reloptions, ', ') FROM pg_class c
			WHERE c.oid = 'tv_network_configuration'::regclass), 'fillfactor = 100'));
	INSERT INTO tv_ranked_configuration
	SELECT c.id, jsonb_set(c.data, '{dns_servers}', coalesce(
		(SELECT jsonb_agg(x.elem || jsonb_build_object('priority', m.priority) ORDER BY x.ord)
		 FROM jsonb_array_elements(c.data->'dns_servers') WITH ORDINALITY AS x (elem, ord)
		 JOIN bench_nc_dns_mapping m ON m.network_configuration_id = c.id
			AND m.dns_server_id = (x.elem->>'id')::integer), '[]'))
	FROM tv_network_configuration c;
	ANALYZE tv_ranked_configuration;
	-- a new server ranked after the middle one (and before the next)
	INSERT INTO op_case (op, id, u)
	SELECT 'insert', c.id, mid || jsonb_build_object('id', 1000000 + c.id, 'ip', '9.9.9.9',
		'priority', (mid->'priority')::numeric + 0.5)
	FROM tv_ranked_configuration c,
		LATERAL (SELECT c.data->'dns_servers'->(jsonb_array_length(c.data->'dns_servers') / 2)) AS x (mid);

	-- one fifth of the servers (a bulk change of 100 of the 500 servers
	-- reaches about that many in each configuration)
	INSERT INTO op_case (op, id, u)
	SELECT 'batch', c.id,
		(SELECT jsonb_agg(jsonb_build_object('id', x.elem->'id', 'ip', '9.9.9.' || x.ord) ORDER BY x.ord)
		 FROM jsonb_array_elements(c.data->'dns_servers') WITH ORDINALITY AS x (elem, ord)
		 WHERE x.ord % 5 = 3 OR jsonb_array_length(c.data->'dns_servers') < 3)
	FROM tv_network_configuration c;

	INSERT INTO op_case (op, id, u)
	SELECT 'deep_merge', a.id,
		'{"network_configuration": {"name": "renamed", "gateway_ip": "10.0.0.1"}, "machine": {"status": "maintenance"}}'
	FROM tv_allocation a;

	INSERT INTO op_case (op, id, u)
	SELECT 'merge_patch', a.id,
		'{"network_configuration": {"name": "renamed", "gateway_ip": null}, "machine": {"status": "maintenance"}}'
	FROM tv_allocation a;

	INSERT INTO op_case (op, id, d2)
	SELECT 'changed', a.id, jsonb_set(a.data, '{machine,status}', '"retired"')
	FROM tv_allocation a;

	ANALYZE op_case;
	SELECT count(*) INTO n FROM op_case;
	RETURN n;
END
$fn$;

-- samples ------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS bench.sample (
	level text,				-- compute, function, statement
	class text,				-- size class
	variant text,			-- default or tuned storage
	op text,
	contender text,
	round integer,
	ms float8,				-- the whole sample
	calls bigint,			-- calls (compute) or rows (function, statement)
	doc_bytes bigint		-- uncompressed size of the documents, average
);

CREATE TABLE IF NOT EXISTS bench.check_result (
	level text,
	class text,
	variant text,
	op text,
	rows bigint,
	ok boolean,
	detail text
);

-- the table and the join of an operation's documents, for SQL levels
CREATE OR REPLACE FUNCTION bench.doc_table(op text)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
	SELECT CASE o.doc WHEN 'configuration' THEN 'tv_network_configuration'
		WHEN 'ranked' THEN 'tv_ranked_configuration' ELSE 'tv_allocation' END
	FROM bench.op o WHERE o.op = doc_table.op
$fn$;

-- Verify once, outside any timing, that seed, best and ivm compute the
-- same results on every document, byte for byte (jsonb results) or equal
-- (boolean results), and that each result differs from the input for a
-- jsonb operation (the case really changes something).
CREATE OR REPLACE FUNCTION bench.verify_op(cls text, var text, op_name text)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
	rtype text := (SELECT returns FROM bench.op WHERE op = op_name);
	q text;
	n bigint;
	bad bigint;
	same bigint;
BEGIN
	IF rtype = 'jsonb' THEN
		q := format($q$
			SELECT count(*),
				count(*) FILTER (WHERE bench.raw_bytes(s.seed) IS DISTINCT FROM bench.raw_bytes(s.ivm)
					OR bench.raw_bytes(s.best) IS DISTINCT FROM bench.raw_bytes(s.ivm)),
				count(*) FILTER (WHERE s.ivm = s.d)
			FROM (SELECT t.data AS d, %s AS seed, %s AS best, %s AS ivm
				  FROM %I t JOIN op_case c ON c.op = %L AND c.id = t.id) AS s$q$,
			bench.expr(op_name, 'seed', 't.data', 'c.m', 'c.u', 'c.d2'),
			bench.expr(op_name, 'best', 't.data', 'c.m', 'c.u', 'c.d2'),
			bench.expr(op_name, 'ivm', 't.data', 'c.m', 'c.u', 'c.d2'),
			bench.doc_table(op_name), op_name);
	ELSE
		q := format($q$
			SELECT count(*),
				count(*) FILTER (WHERE s.seed IS DISTINCT FROM s.ivm OR s.best IS DISTINCT FROM s.ivm),
				count(*) FILTER (WHERE s.ivm)
			FROM (SELECT %s AS seed, %s AS best, %s AS ivm
				  FROM %I t JOIN op_case c ON c.op = %L AND c.id = t.id) AS s$q$,
			bench.expr(op_name, 'seed', 't.data', 'c.m', 'c.u', 'c.d2'),
			bench.expr(op_name, 'best', 't.data', 'c.m', 'c.u', 'c.d2'),
			bench.expr(op_name, 'ivm', 't.data', 'c.m', 'c.u', 'c.d2'),
			bench.doc_table(op_name), op_name);
	END IF;
	EXECUTE q INTO n, bad, same;
	INSERT INTO bench.check_result VALUES ('function', cls, var, op_name, n,
		n > 0 AND bad = 0 AND same = 0,
		format('%s documents, %s with differing results, %s %s', n, bad, same,
			CASE WHEN rtype = 'jsonb' THEN 'unchanged' ELSE 'reported changed' END));
	RETURN n > 0 AND bad = 0 AND same = 0;
END
$fn$;

-- function level: one SELECT over every document -----------------------------

-- Repetitions of the query per sample, for each contender, so that its
-- sample takes about target_ms (short queries are at the mercy of the
-- scheduler); measured after one warm-up execution.
CREATE TABLE IF NOT EXISTS bench.function_plan (
	class text,
	op text,
	contender text,
	reps integer,
	PRIMARY KEY (class, op, contender)
);

CREATE OR REPLACE FUNCTION bench.function_query(op_name text, contender text)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
	SELECT format('SELECT count(%s) FROM %I t JOIN op_case c ON c.op = %L AND c.id = t.id',
		bench.expr(op_name, contender, 't.data', 'c.m', 'c.u', 'c.d2'),
		bench.doc_table(op_name), op_name)
$fn$;

CREATE OR REPLACE FUNCTION bench.plan_function(cls text, op_name text, contenders text[],
	target_ms float8)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
	who text;
	q text;
	t0 timestamptz;
	ms float8;
BEGIN
	FOREACH who IN ARRAY contenders LOOP
		q := bench.function_query(op_name, who);
		EXECUTE q;
		t0 := clock_timestamp();
		EXECUTE q;
		ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
		INSERT INTO bench.function_plan VALUES (cls, op_name, who,
			least(1000, greatest(1, ceil(target_ms / greatest(ms, 0.001))::integer)))
		ON CONFLICT (class, op, contender) DO UPDATE SET reps = excluded.reps;
	END LOOP;
END
$fn$;

CREATE OR REPLACE PROCEDURE bench.function_round(cls text, var text, op_name text,
	round_no integer, contenders text[])
LANGUAGE plpgsql
AS $fn$
DECLARE
	n CONSTANT integer := cardinality(contenders);
	reps integer;
	who text;
	q text;
	t0 timestamptz;
	t1 timestamptz;
	rows bigint;
	bytes bigint;
BEGIN
	EXECUTE format('SELECT avg(pg_column_size(bench.detoast_copy(t.data)))::bigint FROM %I t',
		bench.doc_table(op_name)) INTO bytes;
	FOR k IN 0 .. n - 1 LOOP
		who := contenders[(k + round_no) % n + 1];
		q := bench.function_query(op_name, who);
		reps := coalesce((SELECT p.reps FROM bench.function_plan p
			WHERE p.class = cls AND p.op = op_name AND p.contender = who), 1);
		t0 := clock_timestamp();
		FOR i IN 1 .. reps LOOP
			EXECUTE q INTO rows;
		END LOOP;
		t1 := clock_timestamp();
		-- ms is per query; calls counts the documents of one query
		INSERT INTO bench.sample VALUES ('function', cls, var, op_name, who, round_no,
			1000 * extract(epoch FROM t1 - t0) / reps, rows, bytes);
		COMMIT;
	END LOOP;
END
$fn$;

-- statement level: one UPDATE of every document, rolled back -----------------

CREATE OR REPLACE PROCEDURE bench.statement_round(cls text, var text, op_name text,
	round_no integer, contenders text[])
LANGUAGE plpgsql
AS $fn$
DECLARE
	n CONSTANT integer := cardinality(contenders);
	who text;
	q text;
	t0 timestamptz;
	t1 timestamptz;
	rows bigint;
	bytes bigint;
BEGIN
	EXECUTE format('SELECT avg(pg_column_size(bench.detoast_copy(t.data)))::bigint FROM %I t',
		bench.doc_table(op_name)) INTO bytes;
	FOR k IN 0 .. n - 1 LOOP
		who := contenders[(k + round_no) % n + 1];
		q := format('UPDATE %I t SET data = %s FROM op_case c WHERE c.op = %L AND c.id = t.id',
			bench.doc_table(op_name),
			bench.expr(op_name, who, 't.data', 'c.m', 'c.u', 'c.d2'), op_name);
		t0 := clock_timestamp();
		EXECUTE q;
		GET DIAGNOSTICS rows = ROW_COUNT;
		t1 := clock_timestamp();
		ROLLBACK;
		INSERT INTO bench.sample VALUES ('statement', cls, var, op_name, who, round_no,
			1000 * extract(epoch FROM t1 - t0), rows, bytes);
		COMMIT;
	END LOOP;
END
$fn$;

-- compute level: the document in memory, n calls in a loop -------------------

-- One PL/pgSQL function per operation and contender, generated from its
-- expression: bench.loop_<op>_<contender>(d, m, u, d2, n) evaluates the
-- expression n times on its arguments and throws the result away.  The
-- "loop" contender evaluates "@d IS NOT NULL": the cost of the loop itself.
CREATE OR REPLACE FUNCTION bench.make_loops()
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
	r record;
	made integer := 0;
BEGIN
	FOR r IN
		SELECT e.op, e.contender, bench.expr(e.op, e.contender, 'd', 'm', 'u', 'd2') AS body
		FROM bench.op_expr e
		UNION ALL
		SELECT o.op, 'loop', 'd' FROM bench.op o
	LOOP
		EXECUTE format($f$
			CREATE OR REPLACE FUNCTION bench.%I(d jsonb, m jsonb, u jsonb, d2 jsonb, n integer)
			RETURNS integer
			LANGUAGE plpgsql
			AS $body$
			DECLARE
				ok boolean;
			BEGIN
				FOR i IN 1 .. n LOOP
					ok := (%s) IS NOT NULL;
				END LOOP;
				RETURN n;
			END
			$body$$f$, 'loop_' || r.op || '_' || r.contender, r.body);
		made := made + 1;
	END LOOP;
	RETURN made;
END
$fn$;

-- The inputs of the compute level: one document of the operation (the
-- first), detoasted and copied so that it is in memory, uncompressed.
CREATE OR REPLACE FUNCTION bench.compute_inputs(op_name text,
	OUT d jsonb, OUT m jsonb, OUT u jsonb, OUT d2 jsonb)
LANGUAGE plpgsql
AS $fn$
BEGIN
	EXECUTE format('SELECT bench.detoast_copy(t.data), c.m, c.u, bench.detoast_copy(c.d2)
		FROM %I t JOIN op_case c ON c.op = %L AND c.id = t.id ORDER BY t.id LIMIT 1',
		bench.doc_table(op_name), op_name)
	INTO d, m, u, d2;
	-- in memory means neither compressed nor out of line: pg_column_size of
	-- a plain datum is its full size, the same as a fresh copy's
	IF pg_column_size(d) <> octet_length(bench.raw_bytes(d)) + 4 THEN
		RAISE EXCEPTION 'compute input of % is not a plain in-memory datum', op_name;
	END IF;
END
$fn$;

-- Calls per sample of each contender of an operation: enough for about
-- target_ms, and at least min_total calls over all rounds unless that
-- would make one sample take longer than cap_ms.  Measured on the inputs
-- of the compute level, stored in bench.compute_plan.
CREATE TABLE IF NOT EXISTS bench.compute_plan (
	class text,
	op text,
	contender text,
	calls integer,
	PRIMARY KEY (class, op, contender)
);

CREATE OR REPLACE FUNCTION bench.plan_compute(cls text, op_name text,
	contenders text[], rounds integer, target_ms float8, min_total integer,
	cap_ms float8)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
	i record;
	t0 timestamptz;
	ms float8;
	per_call float8;
	probe integer;
	calls integer;
	who text;
BEGIN
	SELECT * INTO i FROM bench.compute_inputs(op_name);
	FOREACH who IN ARRAY contenders LOOP
		probe := 1;
		LOOP
			t0 := clock_timestamp();
			EXECUTE format('SELECT bench.%I($1, $2, $3, $4, $5)', 'loop_' || op_name || '_' || who)
				USING i.d, i.m, i.u, i.d2, probe;
			ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
			EXIT WHEN ms > 10 OR probe >= 1000000;
			probe := probe * 10;
		END LOOP;
		per_call := ms / probe;
		calls := greatest(1, (target_ms / per_call)::integer);
		IF calls * rounds < min_total THEN
			calls := greatest(calls, least(ceil(min_total::numeric / rounds)::integer,
				(cap_ms / per_call)::integer));
		END IF;
		INSERT INTO bench.compute_plan VALUES (cls, op_name, who, calls)
		ON CONFLICT (class, op, contender) DO UPDATE SET calls = excluded.calls;
	END LOOP;
END
$fn$;

CREATE OR REPLACE PROCEDURE bench.compute_round(cls text, var text, op_name text,
	round_no integer, contenders text[])
LANGUAGE plpgsql
AS $fn$
DECLARE
	n CONSTANT integer := cardinality(contenders);
	i record;
	who text;
	calls integer;
	t0 timestamptz;
	t1 timestamptz;
BEGIN
	SELECT * INTO i FROM bench.compute_inputs(op_name);
	FOR k IN 0 .. n - 1 LOOP
		who := contenders[(k + round_no) % n + 1];
		SELECT p.calls INTO STRICT calls FROM bench.compute_plan p
		WHERE p.class = cls AND p.op = op_name AND p.contender = who;
		t0 := clock_timestamp();
		EXECUTE format('SELECT bench.%I($1, $2, $3, $4, $5)', 'loop_' || op_name || '_' || who)
			USING i.d, i.m, i.u, i.d2, calls;
		t1 := clock_timestamp();
		INSERT INTO bench.sample VALUES ('compute', cls, var, op_name, who, round_no,
			1000 * extract(epoch FROM t1 - t0), calls, pg_column_size(i.d));
	END LOOP;
	COMMIT;
END
$fn$;
