-- bench/cascade.sql: one DNS server change propagated through the CQRS
-- projections of fixtures/cqrs.sql, natively and with jsonb_ivm, timed per
-- step and checked for identical results.
--
-- Needs CREATE EXTENSION jsonb_ivm and a generated fixture:
--   psql -f fixtures/cqrs.sql -c 'SELECT generate_cqrs_data()'
--   psql -X -f bench/cascade.sql [-v rounds=15] [-v server=42]
-- tools/demo.sh does all of it on a throwaway cluster.
--
-- Contenders (each run is one transaction, rolled back, so every run starts
-- from the same data):
--   A  native, as the seed plan does it: re-aggregate each affected
--      configuration's dns_servers with jsonb_agg over the mapping, then
--      jsonb_set the new configuration into each affected allocation
--   B  native, the best SQL we know: find the server's array index with
--      jsonb_array_elements WITH ORDINALITY and jsonb_set that element, then
--      jsonb_set the new configuration into each affected allocation
--   C  jsonb_ivm: jsonb_array_update_where on configurations,
--      jsonb_merge_at_path of the new configuration into allocations
--   D  jsonb_ivm: jsonb_array_update_where on configurations, and on the
--      configuration embedded in each allocation (patches only the server)
-- Steps, each timed with clock_timestamp() inside PL/pgSQL (no client round
-- trips): leaf (the base row and tv_dns_server), configurations,
-- allocations; total is the whole run.  Round 0 warms up and is not
-- counted; each round runs all contenders, in an order rotated per round,
-- then vacuums the tables the runs dirtied.

\set ON_ERROR_STOP on
\set QUIET on
\if :{?rounds}
\else
	\set rounds 15
\endif
\if :{?server}
\else
	\set server 42
\endif
\set new_ip '9.9.9.9'
-- keep JIT out of the timings and out of the checksums
SET jit = off;
\pset footer off

-- environment and document sizes --------------------------------------

SELECT current_setting('server_version') AS pg_version,
	coalesce((SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm'),
		'(not installed)') AS ivm_version,
	(SELECT count(*) FROM bench_dns_servers) AS n_servers,
	(SELECT count(*) FROM bench_network_configs) AS n_configurations,
	(SELECT count(*) FROM bench_allocations) AS n_allocations,
	(SELECT count(*) FROM bench_nc_dns_mapping WHERE dns_server_id = :server) AS n_affected_configurations,
	(SELECT count(*) FROM bench_allocations WHERE network_configuration_id IN
		(SELECT network_configuration_id FROM bench_nc_dns_mapping WHERE dns_server_id = :server))
		AS n_affected_allocations
\gset
SELECT :n_affected_configurations = 0 AS no_cascade \gset
\if :no_cascade
	SELECT set_config('cascade.server', :'server', false) \gset
	DO $$ BEGIN
		RAISE EXCEPTION 'no network configuration embeds DNS server %',
			current_setting('cascade.server')
			USING HINT = 'Generate the fixture with generate_cqrs_data(), or pick another server with -v server=N.';
	END $$;
\endif

\echo
\echo 'jsonb_ivm demo: a CQRS cascade, natively and with jsonb_ivm'
\echo 'PostgreSQL' :pg_version '/ jsonb_ivm' :ivm_version
\echo 'fixture:' :n_servers 'DNS servers,' :n_configurations 'network configurations,' :n_allocations 'allocations'
\echo
\echo 'Document sizes, average per row (stored: pg_column_size as stored, after'
\echo 'TOAST compression; jsonb: pg_column_size uncompressed; text: octet_length'
\echo 'of the text form):'

SELECT p.projection, p.rows, p.stored AS "stored bytes", p.uncompressed AS "jsonb bytes",
	p.text AS "text bytes"
FROM (
	SELECT 1, 'tv_dns_server', count(*), round(avg(pg_column_size(data))),
		round(avg(pg_column_size('{}'::jsonb || data))), round(avg(octet_length(data::text)))
	FROM tv_dns_server
	UNION ALL
	SELECT 2, 'tv_network_configuration', count(*), round(avg(pg_column_size(data))),
		round(avg(pg_column_size('{}'::jsonb || data))), round(avg(octet_length(data::text)))
	FROM tv_network_configuration
	UNION ALL
	SELECT 3, 'tv_allocation', count(*), round(avg(pg_column_size(data))),
		round(avg(pg_column_size('{}'::jsonb || data))), round(avg(octet_length(data::text)))
	FROM tv_allocation
) AS p (ord, projection, rows, stored, uncompressed, text)
ORDER BY p.ord;

\echo 'Cascade: UPDATE bench_dns_servers SET ip =' :'new_ip' 'WHERE id =' :server
\echo '  rewrites 1 server document,' :n_affected_configurations 'configurations and' :n_affected_allocations 'allocations'
\echo '  A  native, as in the seed plan: re-aggregate dns_servers with jsonb_agg,'
\echo '     jsonb_set the whole configuration into allocations'
\echo '  B  native, best SQL: find the server''s index WITH ORDINALITY, jsonb_set it,'
\echo '     jsonb_set the whole configuration into allocations'
\echo '  C  jsonb_ivm: jsonb_array_update_where on configurations,'
\echo '     jsonb_merge_at_path of the configuration into allocations'
\echo '  D  jsonb_ivm: jsonb_array_update_where on configurations and on the'
\echo '     configuration inside allocations (patches only the server)'
\echo 'Steps: leaf = the base row and tv_dns_server; total = the whole run.'
\echo

-- the runs ---------------------------------------------------------------

-- Checksum of the three projections (tv_*), or with rebuilt of their
-- definitions (v_*), i.e. of what a rebuild from the base tables gives.
CREATE FUNCTION pg_temp.projection_checksum(rebuilt boolean)
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

-- the projections before any change
SELECT pg_temp.projection_checksum(false) AS initial_checksum \gset

CREATE TEMP TABLE cascade_run (
	round integer,
	contender text,
	leaf_ms float8,
	configurations_ms float8,
	allocations_ms float8,
	total_ms float8,
	configurations_changed bigint,	-- documents now holding the new server
	allocations_changed bigint,
	checksum text,					-- the projections after the run
	rebuilt_checksum text			-- the definitions (v_*) after the run; round 0
);

-- One round: every contender once, each in a transaction rolled back.
CREATE PROCEDURE pg_temp.cascade_round(round_no integer, target_server integer, new_ip text)
LANGUAGE plpgsql
AS $fn$
DECLARE
	contenders CONSTANT text[] := ARRAY['A', 'B', 'C', 'D'];
	server_key CONSTANT jsonb := to_jsonb(target_server);
	new_server CONSTANT jsonb := jsonb_build_array(
		jsonb_build_object('id', target_server, 'ip', new_ip));
	who text;
	t0 timestamptz;
	t1 timestamptz;
	t2 timestamptz;
	t3 timestamptz;
	n_conf bigint;
	n_alloc bigint;
	sum_after text;
	sum_rebuilt text;
BEGIN
	FOR k IN 0 .. 3 LOOP
		who := contenders[(k + round_no) % 4 + 1];

		-- leaf: the base row, then its projection
		t0 := clock_timestamp();
		UPDATE bench_dns_servers SET ip = new_ip WHERE id = target_server;
		IF who IN ('A', 'B') THEN
			UPDATE tv_dns_server SET data = jsonb_set(data, '{ip}', to_jsonb(new_ip))
			WHERE id = target_server;
		ELSE
			UPDATE tv_dns_server
			SET data = jsonb_merge_at_path(data, jsonb_build_object('ip', new_ip), '{}')
			WHERE id = target_server;
		END IF;

		-- configurations embedding the server
		t1 := clock_timestamp();
		IF who = 'A' THEN
			WITH affected_configs AS (
				SELECT DISTINCT network_configuration_id AS id
				FROM bench_nc_dns_mapping
				WHERE dns_server_id = target_server
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
		ELSIF who = 'B' THEN
			UPDATE tv_network_configuration nc
			SET data = jsonb_set(nc.data,
				ARRAY['dns_servers',
					(SELECT (e.ord - 1)::text
					 FROM jsonb_array_elements(nc.data->'dns_servers') WITH ORDINALITY AS e (elem, ord)
					 WHERE e.elem->'id' = server_key
					 LIMIT 1)],
				s.data)
			FROM tv_dns_server s
			WHERE s.id = target_server
			  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
							WHERE dns_server_id = target_server);
		ELSE
			UPDATE tv_network_configuration nc
			SET data = jsonb_array_update_where(nc.data, '{dns_servers}', 'id', server_key, s.data)
			FROM tv_dns_server s
			WHERE s.id = target_server
			  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
							WHERE dns_server_id = target_server);
		END IF;

		-- allocations embedding those configurations
		t2 := clock_timestamp();
		IF who = 'A' THEN
			UPDATE tv_allocation
			SET data = jsonb_set(data, '{network_configuration}',
				(SELECT nc.data FROM tv_network_configuration nc
				 WHERE nc.id = (tv_allocation.data->'network_configuration'->>'id')::integer))
			WHERE (data->'network_configuration'->>'id')::integer IN (
				SELECT network_configuration_id FROM bench_nc_dns_mapping
				WHERE dns_server_id = target_server);
		ELSIF who = 'B' THEN
			UPDATE tv_allocation a
			SET data = jsonb_set(a.data, '{network_configuration}', nc.data)
			FROM tv_network_configuration nc
			WHERE (a.data->'network_configuration'->>'id')::integer = nc.id
			  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
							WHERE dns_server_id = target_server);
		ELSIF who = 'C' THEN
			UPDATE tv_allocation a
			SET data = jsonb_merge_at_path(a.data, nc.data, '{network_configuration}')
			FROM tv_network_configuration nc
			WHERE (a.data->'network_configuration'->>'id')::integer = nc.id
			  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
							WHERE dns_server_id = target_server);
		ELSE
			UPDATE tv_allocation a
			SET data = jsonb_array_update_where(a.data, '{network_configuration,dns_servers}',
				'id', server_key, s.data)
			FROM tv_dns_server s
			WHERE s.id = target_server
			  AND (a.data->'network_configuration'->>'id')::integer IN (
				SELECT network_configuration_id FROM bench_nc_dns_mapping
				WHERE dns_server_id = target_server);
		END IF;
		t3 := clock_timestamp();

		-- what the run left, read before it is rolled back
		SELECT count(*) INTO n_conf FROM tv_network_configuration
		WHERE data->'dns_servers' @> new_server;
		SELECT count(*) INTO n_alloc FROM tv_allocation
		WHERE data->'network_configuration'->'dns_servers' @> new_server;
		sum_after := pg_temp.projection_checksum(false);
		sum_rebuilt := CASE WHEN round_no = 0 THEN pg_temp.projection_checksum(true) END;
		ROLLBACK;

		INSERT INTO cascade_run VALUES (round_no, who,
			1000 * extract(epoch FROM t1 - t0),
			1000 * extract(epoch FROM t2 - t1),
			1000 * extract(epoch FROM t3 - t2),
			1000 * extract(epoch FROM t3 - t0),
			n_conf, n_alloc, sum_after, sum_rebuilt);
		COMMIT;
	END LOOP;
END
$fn$;

\echo 'Running' :rounds 'rounds (plus one warm-up), contenders interleaved ...'
SELECT format('CALL pg_temp.cascade_round(%s, %s, %L)', r, :server, :'new_ip'),
	'VACUUM bench_dns_servers, tv_dns_server, tv_network_configuration, tv_allocation'
FROM generate_series(0, :rounds) AS r
\gexec

-- results ----------------------------------------------------------------

\echo
\echo 'Median time per step over' :rounds 'rounds, in ms, then relative to C (2.0x = twice C''s time):'

WITH median AS (
	SELECT contender,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY leaf_ms) AS leaf,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY configurations_ms) AS configurations,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY allocations_ms) AS allocations,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY total_ms) AS total
	FROM cascade_run
	WHERE round > 0
	GROUP BY contender
),
cell AS (
	SELECT s.ord, s.step, m.contender, v.ms,
		v.ms / nullif(max(v.ms) FILTER (WHERE m.contender = 'C')
			OVER (PARTITION BY s.ord), 0) AS ratio
	FROM median m
	CROSS JOIN (VALUES (1, 'leaf'), (2, 'configurations'), (3, 'allocations'), (4, 'total'))
		AS s (ord, step)
	CROSS JOIN LATERAL (SELECT CASE s.ord WHEN 1 THEN m.leaf WHEN 2 THEN m.configurations
		WHEN 3 THEN m.allocations ELSE m.total END) AS v (ms)
)
SELECT step,
	max(txt) FILTER (WHERE contender = 'A') AS "A seed native",
	max(txt) FILTER (WHERE contender = 'B') AS "B best native",
	max(txt) FILTER (WHERE contender = 'C') AS "C jsonb_ivm",
	max(txt) FILTER (WHERE contender = 'D') AS "D jsonb_ivm patch"
FROM (
	SELECT ord, step, contender,
		lpad(to_char(ms, 'FM99990.000'), 8) || lpad(to_char(ratio, 'FM9990.0') || 'x', 7) AS txt
	FROM cell
) AS t
GROUP BY ord, step
ORDER BY ord;

-- A run is right when it touched the expected documents and left exactly
-- what the warm-up's rebuild from the base tables gives; all runs must agree.
SELECT CASE WHEN count(DISTINCT checksum) = 1
		AND min(checksum) = max(rebuilt_checksum)
		AND count(rebuilt_checksum) = 4
		AND count(DISTINCT rebuilt_checksum) = 1
		AND min(checksum) <> :'initial_checksum'
		AND bool_and(configurations_changed = :n_affected_configurations)
		AND bool_and(allocations_changed = :n_affected_allocations)
	THEN 'yes' ELSE 'no' END AS identical,
	count(*) AS runs
FROM cascade_run
\gset

SELECT :'identical' = 'no' AS disagree \gset
\if :disagree
	\echo 'results identical: no; per contender, what its runs left:'
	SELECT contender, count(*) AS runs,
		count(*) FILTER (WHERE checksum = (SELECT max(rebuilt_checksum) FROM cascade_run
			WHERE round = 0 AND contender = 'A')) AS "equal to the rebuild",
		count(DISTINCT checksum) AS "distinct results",
		min(configurations_changed) || '-' || max(configurations_changed) AS "configurations changed",
		min(allocations_changed) || '-' || max(allocations_changed) AS "allocations changed"
	FROM cascade_run
	GROUP BY contender
	ORDER BY contender;
	DO $$ BEGIN RAISE EXCEPTION 'the contenders do not produce identical projections'; END $$;
\else
	\echo 'results identical: yes (all' :runs 'runs of A, B, C and D left the same projections,'
	\echo 'equal to a rebuild from the base tables)'
\endif
