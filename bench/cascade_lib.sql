-- bench/cascade_lib.sql: the CQRS cascade of fixtures/cqrs.sql, one
-- definition per contender, shared by the demo (bench/cascade.sql), the
-- pgbench script (bench/cascade.pgbench), the 100-cascade stress loop and
-- the bulk case of the benchmark suite (bench/run.sh).
--
-- Functions live in schema bench; the tables they touch are the fixture's,
-- found through search_path, so one definition serves every fixture schema.
-- tuned says whether the fixture was generated with tuned storage: then
-- tv_allocation carries network_configuration_id as a plain column, and the
-- allocation lookup uses it instead of the expression on data.
--
-- Contenders:
--   seed       native, as the seed plan does it: re-aggregate each affected
--              configuration's dns_servers with jsonb_agg over the mapping,
--              then jsonb_set the new configuration into each allocation
--   best       native, the best SQL we know: find the server's array index
--              with jsonb_array_elements WITH ORDINALITY and jsonb_set that
--              element, then jsonb_set the configuration into allocations
--   ivm_merge  jsonb_ivm: jsonb_array_update_where on configurations,
--              jsonb_merge_at_path of the configuration into allocations
--   ivm        jsonb_ivm: jsonb_array_update_where on configurations and on
--              the configuration inside each allocation (patches the server)
--   floor      the rewrite floor: the same rows, rewritten by an identity
--              function (bench.detoast_copy), so that only PostgreSQL's
--              UPDATE and TOAST machinery is left; the projections keep
--              their content (the base row is rewritten with its own ip)
--
-- With the seed's storage, allocations are selected by the expression index
-- on data with "= ANY (ARRAY(subquery))", not "IN (subquery)": where the
-- documents are toasted out of line the heap looks small, the planner
-- prefers a hash join over a sequential scan, and evaluating the expression
-- then detoasts every allocation of the table (at 46 KB, the rewrite
-- floor's allocation step took 29 ms that way and 22 ms by the index).
--
-- Needs CREATE EXTENSION jsonb_ivm; creates schema bench if missing.

CREATE SCHEMA IF NOT EXISTS bench;

-- detoast + memcpy, nothing else: the floor of any function that returns a
-- new document (a debug symbol of the module, not part of its SQL API)
CREATE OR REPLACE FUNCTION bench.detoast_copy(jsonb) RETURNS jsonb
AS '$libdir/jsonb_ivm', 'jsonb_ivm_detoast_copy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- the stored bytes of a jsonb, to compare results byte for byte
CREATE OR REPLACE FUNCTION bench.raw_bytes(jsonb) RETURNS bytea
AS '$libdir/jsonb_ivm', 'jsonb_ivm_raw_bytes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- leaf: the base row, then its projection ---------------------------------

CREATE OR REPLACE FUNCTION bench.cascade_leaf(contender text,
	servers integer[], new_ip text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
	IF contender = 'floor' THEN
		UPDATE bench_dns_servers SET ip = ip WHERE id = ANY (servers);
		UPDATE tv_dns_server SET data = bench.detoast_copy(data)
		WHERE id = ANY (servers);
		RETURN;
	END IF;
	UPDATE bench_dns_servers SET ip = new_ip WHERE id = ANY (servers);
	IF contender IN ('seed', 'best') THEN
		UPDATE tv_dns_server SET data = jsonb_set(data, '{ip}', to_jsonb(new_ip))
		WHERE id = ANY (servers);
	ELSE
		UPDATE tv_dns_server
		SET data = jsonb_merge_at_path(data, jsonb_build_object('ip', new_ip), '{}')
		WHERE id = ANY (servers);
	END IF;
END
$fn$;

-- configurations embedding one server -------------------------------------

CREATE OR REPLACE FUNCTION bench.cascade_configurations(contender text,
	server integer)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
	server_key CONSTANT jsonb := to_jsonb(server);
BEGIN
	IF contender = 'seed' THEN
		WITH affected_configs AS (
			SELECT DISTINCT network_configuration_id AS id
			FROM bench_nc_dns_mapping
			WHERE dns_server_id = server
		),
		updated_configs AS (
			SELECT ac.id,
				(SELECT jsonb_agg(v.data ORDER BY m.priority)
				 FROM bench_nc_dns_mapping m
				 JOIN tv_dns_server v ON v.id = m.dns_server_id
				 WHERE m.network_configuration_id = ac.id) AS dns_servers
			FROM affected_configs ac
		)
		UPDATE tv_network_configuration nc
		SET data = jsonb_set(nc.data, '{dns_servers}', uc.dns_servers)
		FROM updated_configs uc
		WHERE nc.id = uc.id;
	ELSIF contender = 'best' THEN
		UPDATE tv_network_configuration nc
		SET data = jsonb_set(nc.data,
			ARRAY['dns_servers',
				(SELECT (e.ord - 1)::text
				 FROM jsonb_array_elements(nc.data->'dns_servers') WITH ORDINALITY AS e (elem, ord)
				 WHERE e.elem->'id' = server_key
				 LIMIT 1)],
			s.data)
		FROM tv_dns_server s
		WHERE s.id = server
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = server);
	ELSIF contender = 'floor' THEN
		UPDATE tv_network_configuration nc
		SET data = bench.detoast_copy(nc.data)
		WHERE nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = server);
	ELSE
		UPDATE tv_network_configuration nc
		SET data = jsonb_array_update_where(nc.data, '{dns_servers}', 'id', server_key, s.data)
		FROM tv_dns_server s
		WHERE s.id = server
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = server);
	END IF;
END
$fn$;

-- allocations embedding those configurations ------------------------------

CREATE OR REPLACE FUNCTION bench.cascade_allocations(contender text,
	server integer, tuned boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
	server_key CONSTANT jsonb := to_jsonb(server);
BEGIN
	IF contender = 'seed' AND NOT tuned THEN
		UPDATE tv_allocation
		SET data = jsonb_set(data, '{network_configuration}',
			(SELECT nc.data FROM tv_network_configuration nc
			 WHERE nc.id = (tv_allocation.data->'network_configuration'->>'id')::integer))
		WHERE (data->'network_configuration'->>'id')::integer = ANY (ARRAY(
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = server));
	ELSIF contender = 'seed' THEN
		UPDATE tv_allocation
		SET data = jsonb_set(data, '{network_configuration}',
			(SELECT nc.data FROM tv_network_configuration nc
			 WHERE nc.id = tv_allocation.network_configuration_id))
		WHERE network_configuration_id IN (
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = server);
	ELSIF contender = 'best' AND NOT tuned THEN
		UPDATE tv_allocation a
		SET data = jsonb_set(a.data, '{network_configuration}', nc.data)
		FROM tv_network_configuration nc
		WHERE (a.data->'network_configuration'->>'id')::integer = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = server);
	ELSIF contender = 'best' THEN
		UPDATE tv_allocation a
		SET data = jsonb_set(a.data, '{network_configuration}', nc.data)
		FROM tv_network_configuration nc
		WHERE a.network_configuration_id = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = server);
	ELSIF contender = 'ivm_merge' AND NOT tuned THEN
		UPDATE tv_allocation a
		SET data = jsonb_merge_at_path(a.data, nc.data, '{network_configuration}')
		FROM tv_network_configuration nc
		WHERE (a.data->'network_configuration'->>'id')::integer = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = server);
	ELSIF contender = 'ivm_merge' THEN
		UPDATE tv_allocation a
		SET data = jsonb_merge_at_path(a.data, nc.data, '{network_configuration}')
		FROM tv_network_configuration nc
		WHERE a.network_configuration_id = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = server);
	ELSIF contender = 'ivm' AND NOT tuned THEN
		UPDATE tv_allocation a
		SET data = jsonb_array_update_where(a.data, '{network_configuration,dns_servers}',
			'id', server_key, s.data)
		FROM tv_dns_server s
		WHERE s.id = server
		  AND (a.data->'network_configuration'->>'id')::integer = ANY (ARRAY(
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = server));
	ELSIF contender = 'ivm' THEN
		UPDATE tv_allocation a
		SET data = jsonb_array_update_where(a.data, '{network_configuration,dns_servers}',
			'id', server_key, s.data)
		FROM tv_dns_server s
		WHERE s.id = server
		  AND a.network_configuration_id IN (
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = server);
	ELSIF contender = 'floor' AND NOT tuned THEN
		UPDATE tv_allocation
		SET data = bench.detoast_copy(data)
		WHERE (data->'network_configuration'->>'id')::integer = ANY (ARRAY(
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = server));
	ELSIF contender = 'floor' THEN
		UPDATE tv_allocation
		SET data = bench.detoast_copy(data)
		WHERE network_configuration_id IN (
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = server);
	ELSE
		RAISE EXCEPTION 'unknown contender "%"', contender;
	END IF;
END
$fn$;

-- One whole cascade: what a trigger on bench_dns_servers would run.
CREATE OR REPLACE FUNCTION bench.cascade(contender text, server integer,
	new_ip text, tuned boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
	PERFORM bench.cascade_leaf(contender, ARRAY[server], new_ip);
	PERFORM bench.cascade_configurations(contender, server);
	PERFORM bench.cascade_allocations(contender, server, tuned);
END
$fn$;

-- The bulk case: one statement per level for many changed servers.  Every
-- affected configuration embeds several of them.
--   seed       re-aggregate every affected configuration over the mapping,
--              jsonb_set the configuration into its allocations
--   best       re-aggregate each affected configuration's own elements,
--              taking the changed servers' new objects (one pass, no
--              mapping join), jsonb_set the configuration into allocations
--   ivm_merge  merge the changed servers into each configuration in one
--              pass (jsonb_array_update_where_batch), then
--              jsonb_merge_at_path of the configuration into allocations
--   ivm        the same batch update on configurations and on allocations,
--              the patches of each configuration aggregated once: for each
--              configuration that embeds some of the changed servers, their
--              new documents (a subquery in the statement, grouped by the
--              configuration id, so that Citus runs it on the workers with
--              the UPDATE instead of calling a function from a shard)
--   floor      rewrite the same rows with an identity function
CREATE OR REPLACE FUNCTION bench.cascade_bulk(contender text, servers integer[],
	new_ip text, tuned boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
	PERFORM bench.cascade_leaf(contender, servers, new_ip);

	IF contender = 'seed' THEN
		UPDATE tv_network_configuration nc
		SET data = jsonb_set(nc.data, '{dns_servers}',
			(SELECT jsonb_agg(v.data ORDER BY m.priority)
			 FROM bench_nc_dns_mapping m
			 JOIN tv_dns_server v ON v.id = m.dns_server_id
			 WHERE m.network_configuration_id = nc.id))
		WHERE nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = ANY (servers));
	ELSIF contender = 'best' THEN
		UPDATE tv_network_configuration nc
		SET data = jsonb_set(nc.data, '{dns_servers}',
			(SELECT jsonb_agg(coalesce(s.data, e.elem) ORDER BY e.ord)
			 FROM jsonb_array_elements(nc.data->'dns_servers') WITH ORDINALITY AS e (elem, ord)
			 LEFT JOIN tv_dns_server s
				ON s.id = (e.elem->>'id')::integer AND s.id = ANY (servers)))
		WHERE nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = ANY (servers));
	ELSIF contender = 'floor' THEN
		UPDATE tv_network_configuration nc
		SET data = bench.detoast_copy(nc.data)
		WHERE nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = ANY (servers));
	ELSE
		UPDATE tv_network_configuration nc
		SET data = jsonb_array_update_where_batch(nc.data, '{dns_servers}', 'id', p.patches)
		FROM (SELECT m.network_configuration_id AS configuration_id,
				jsonb_agg(s.data ORDER BY s.id) AS patches
			 FROM bench_nc_dns_mapping m
			 JOIN tv_dns_server s ON s.id = m.dns_server_id
			 WHERE m.dns_server_id = ANY (servers)
			 GROUP BY m.network_configuration_id) p
		WHERE nc.id = p.configuration_id;
	END IF;

	IF contender IN ('seed', 'best') AND NOT tuned THEN
		UPDATE tv_allocation a
		SET data = jsonb_set(a.data, '{network_configuration}', nc.data)
		FROM tv_network_configuration nc
		WHERE (a.data->'network_configuration'->>'id')::integer = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = ANY (servers));
	ELSIF contender IN ('seed', 'best') THEN
		UPDATE tv_allocation a
		SET data = jsonb_set(a.data, '{network_configuration}', nc.data)
		FROM tv_network_configuration nc
		WHERE a.network_configuration_id = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = ANY (servers));
	ELSIF contender = 'ivm_merge' AND NOT tuned THEN
		UPDATE tv_allocation a
		SET data = jsonb_merge_at_path(a.data, nc.data, '{network_configuration}')
		FROM tv_network_configuration nc
		WHERE (a.data->'network_configuration'->>'id')::integer = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = ANY (servers));
	ELSIF contender = 'ivm_merge' THEN
		UPDATE tv_allocation a
		SET data = jsonb_merge_at_path(a.data, nc.data, '{network_configuration}')
		FROM tv_network_configuration nc
		WHERE a.network_configuration_id = nc.id
		  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
						WHERE dns_server_id = ANY (servers));
	ELSIF contender = 'ivm' AND NOT tuned THEN
		UPDATE tv_allocation a
		SET data = jsonb_array_update_where_batch(a.data, '{network_configuration,dns_servers}',
			'id', p.patches)
		FROM (SELECT m.network_configuration_id AS configuration_id,
				jsonb_agg(s.data ORDER BY s.id) AS patches
			 FROM bench_nc_dns_mapping m
			 JOIN tv_dns_server s ON s.id = m.dns_server_id
			 WHERE m.dns_server_id = ANY (servers)
			 GROUP BY m.network_configuration_id) p
		WHERE (a.data->'network_configuration'->>'id')::integer = p.configuration_id
		  AND (a.data->'network_configuration'->>'id')::integer = ANY (ARRAY(
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = ANY (servers)));
	ELSIF contender = 'ivm' THEN
		UPDATE tv_allocation a
		SET data = jsonb_array_update_where_batch(a.data, '{network_configuration,dns_servers}',
			'id', p.patches)
		FROM (SELECT m.network_configuration_id AS configuration_id,
				jsonb_agg(s.data ORDER BY s.id) AS patches
			 FROM bench_nc_dns_mapping m
			 JOIN tv_dns_server s ON s.id = m.dns_server_id
			 WHERE m.dns_server_id = ANY (servers)
			 GROUP BY m.network_configuration_id) p
		WHERE a.network_configuration_id = p.configuration_id;
	ELSIF contender = 'floor' AND NOT tuned THEN
		UPDATE tv_allocation
		SET data = bench.detoast_copy(data)
		WHERE (data->'network_configuration'->>'id')::integer = ANY (ARRAY(
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = ANY (servers)));
	ELSIF contender = 'floor' THEN
		UPDATE tv_allocation
		SET data = bench.detoast_copy(data)
		WHERE network_configuration_id IN (
			SELECT network_configuration_id FROM bench_nc_dns_mapping
			WHERE dns_server_id = ANY (servers));
	ELSE
		RAISE EXCEPTION 'unknown contender "%"', contender;
	END IF;
END
$fn$;

-- Checksum of the three projections (tv_*), or with rebuilt of their
-- definitions (v_*), i.e. of what a rebuild from the base tables gives.
CREATE OR REPLACE FUNCTION bench.projection_checksum(rebuilt boolean)
RETURNS text
LANGUAGE plpgsql
AS $fn$
BEGIN
	IF rebuilt THEN
		RETURN md5(
			(SELECT string_agg(id || ':' || data::text, '|' ORDER BY id) FROM v_dns_server) || '#' ||
			(SELECT string_agg(id || ':' || data::text, '|' ORDER BY id) FROM v_network_configuration) || '#' ||
			(SELECT string_agg(id || ':' || data::text, '|' ORDER BY id) FROM v_allocation));
	END IF;
	RETURN md5(
		(SELECT string_agg(id || ':' || data::text, '|' ORDER BY id) FROM tv_dns_server) || '#' ||
		(SELECT string_agg(id || ':' || data::text, '|' ORDER BY id) FROM tv_network_configuration) || '#' ||
		(SELECT string_agg(id || ':' || data::text, '|' ORDER BY id) FROM tv_allocation));
END
$fn$;

-- What each run of a cascade took and left.
CREATE TABLE IF NOT EXISTS bench.cascade_run (
	label text,						-- which experiment: demo, stress, bulk, ...
	round integer,
	contender text,
	leaf_ms float8,					-- single cascades only
	configurations_ms float8,
	allocations_ms float8,
	total_ms float8,
	configurations_changed bigint,	-- documents now holding the new ip
	allocations_changed bigint,
	checksum text,					-- the projections after the run
	rebuilt_checksum text			-- the definitions (v_*) after the run
);

-- One round of an experiment: every contender once, in an order rotated by
-- round, each in a transaction rolled back so that every run starts from
-- the same data.
--   kind 'single'  one cascade for servers[1], timed per step
--   kind 'stress'  one cascade per server, one after the other
--   kind 'bulk'    one statement per level for all servers (cascade_bulk)
-- verify: also checksum the projections and, once, their rebuild.
CREATE OR REPLACE PROCEDURE bench.cascade_round(label text, kind text,
	round_no integer, servers integer[], new_ip text, tuned boolean,
	contenders text[], verify boolean)
LANGUAGE plpgsql
AS $fn$
DECLARE
	n CONSTANT integer := cardinality(contenders);
	who text;
	t0 timestamptz;
	t1 timestamptz;
	t2 timestamptz;
	t3 timestamptz;
	n_conf bigint;
	n_alloc bigint;
	sum_after text;
	sum_rebuilt text;
	rebuilt_done boolean := false;
BEGIN
	FOR k IN 0 .. n - 1 LOOP
		who := contenders[(k + round_no) % n + 1];

		t0 := clock_timestamp();
		IF kind = 'single' THEN
			PERFORM bench.cascade_leaf(who, servers[1:1], new_ip);
			t1 := clock_timestamp();
			PERFORM bench.cascade_configurations(who, servers[1]);
			t2 := clock_timestamp();
			PERFORM bench.cascade_allocations(who, servers[1], tuned);
		ELSIF kind = 'stress' THEN
			FOR i IN 1 .. cardinality(servers) LOOP
				PERFORM bench.cascade(who, servers[i], new_ip, tuned);
			END LOOP;
		ELSIF kind = 'bulk' THEN
			PERFORM bench.cascade_bulk(who, servers, new_ip, tuned);
		ELSE
			RAISE EXCEPTION 'unknown kind of cascade round "%"', kind;
		END IF;
		t3 := clock_timestamp();

		-- what the run left, read before it is rolled back
		IF verify THEN
			SELECT count(*) INTO n_conf FROM tv_network_configuration
			WHERE EXISTS (SELECT FROM jsonb_array_elements(data->'dns_servers') e
				WHERE e->>'ip' = new_ip);
			SELECT count(*) INTO n_alloc FROM tv_allocation
			WHERE EXISTS (SELECT FROM jsonb_array_elements(data->'network_configuration'->'dns_servers') e
				WHERE e->>'ip' = new_ip);
			sum_after := bench.projection_checksum(false);
			-- the rebuild is the same for every contender but the floor
			IF NOT rebuilt_done AND who <> 'floor' AND round_no = 0 THEN
				sum_rebuilt := bench.projection_checksum(true);
				rebuilt_done := true;
			ELSE
				sum_rebuilt := NULL;
			END IF;
		END IF;
		ROLLBACK;

		INSERT INTO bench.cascade_run VALUES (label, round_no, who,
			CASE WHEN kind = 'single' THEN 1000 * extract(epoch FROM t1 - t0) END,
			CASE WHEN kind = 'single' THEN 1000 * extract(epoch FROM t2 - t1) END,
			CASE WHEN kind = 'single' THEN 1000 * extract(epoch FROM t3 - t2) END,
			1000 * extract(epoch FROM t3 - t0),
			n_conf, n_alloc, sum_after, sum_rebuilt);
		COMMIT;
	END LOOP;
END
$fn$;
