-- bench/cascade.sql: one DNS server change propagated through the CQRS
-- projections of fixtures/cqrs.sql, natively and with jsonb_ivm, timed per
-- step and checked for identical results.
--
-- Needs CREATE EXTENSION jsonb_ivm and a generated fixture:
--   psql -f fixtures/cqrs.sql -c 'SELECT generate_cqrs_data()'
--   psql -X -f bench/cascade.sql [-v rounds=15] [-v server=42]
-- tools/demo.sh does all of it on a throwaway cluster.
--
-- Contenders (defined in bench/cascade_lib.sql, shared with the benchmark
-- suite; each run is one transaction, rolled back, so every run starts from
-- the same data):
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
-- counted; each round runs all contenders, in an order rotated per round
-- (bench.cascade_round), then vacuums the tables the runs dirtied.

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

-- the contenders' definitions, shared with the benchmark suite
\ir cascade_lib.sql

-- the projections before any change
SELECT bench.projection_checksum(false) AS initial_checksum \gset
DELETE FROM bench.cascade_run WHERE label = 'demo';

\echo 'Running' :rounds 'rounds (plus one warm-up), contenders interleaved ...'
SELECT format('CALL bench.cascade_round(%L, %L, %s, ARRAY[%s], %L, false, %L, true)',
		'demo', 'single', r, :server, :'new_ip', '{seed,best,ivm_merge,ivm}'),
	'VACUUM bench_dns_servers, tv_dns_server, tv_network_configuration, tv_allocation'
FROM generate_series(0, :rounds) AS r
\gexec

-- results ----------------------------------------------------------------

\echo
\echo 'Median time per step over' :rounds 'rounds, in ms, then relative to C (2.0x = twice C''s time):'

WITH run AS (
	SELECT r.*, l.letter
	FROM bench.cascade_run r
	JOIN (VALUES ('seed', 'A'), ('best', 'B'), ('ivm_merge', 'C'), ('ivm', 'D'))
		AS l (contender, letter) USING (contender)
	WHERE r.label = 'demo'
),
median AS (
	SELECT letter AS contender,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY leaf_ms) AS leaf,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY configurations_ms) AS configurations,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY allocations_ms) AS allocations,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY total_ms) AS total
	FROM run
	WHERE round > 0
	GROUP BY letter
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
		AND count(rebuilt_checksum) = 1
		AND min(checksum) <> :'initial_checksum'
		AND bool_and(configurations_changed = :n_affected_configurations)
		AND bool_and(allocations_changed = :n_affected_allocations)
	THEN 'yes' ELSE 'no' END AS identical,
	count(*) AS runs
FROM bench.cascade_run
WHERE label = 'demo'
\gset

SELECT :'identical' = 'no' AS disagree \gset
\if :disagree
	\echo 'results identical: no; per contender, what its runs left:'
	SELECT contender, count(*) AS runs,
		count(*) FILTER (WHERE checksum = (SELECT max(rebuilt_checksum) FROM bench.cascade_run
			WHERE label = 'demo' AND round = 0)) AS "equal to the rebuild",
		count(DISTINCT checksum) AS "distinct results",
		min(configurations_changed) || '-' || max(configurations_changed) AS "configurations changed",
		min(allocations_changed) || '-' || max(allocations_changed) AS "allocations changed"
	FROM bench.cascade_run
	WHERE label = 'demo'
	GROUP BY contender
	ORDER BY contender;
	DO $$ BEGIN RAISE EXCEPTION 'the contenders do not produce identical projections'; END $$;
\else
	\echo 'results identical: yes (all' :runs 'runs of A, B, C and D left the same projections,'
	\echo 'equal to a rebuild from the base tables)'
\endif
