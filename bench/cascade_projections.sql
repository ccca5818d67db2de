-- bench/cascade_projections.sql: the seed's cascade through generated
-- projections.  The fixture's hand-maintained tv_* tables are replaced by
-- the projections of fixtures/cqrs_projections.sql (declared once as
-- queries, maintained by jsonb_ivm's generated triggers); then one DNS
-- server change is timed as a single UPDATE of the base row, everything
-- the generated triggers do included, and checked against the definitions
-- (v_*) and against what the other contenders of bench/cascade.sql left.
--
-- Needs CREATE EXTENSION jsonb_ivm and a generated fixture; run after
-- bench/cascade.sql to compare with its contenders (tools/demo.sh does):
--   psql -f fixtures/cqrs.sql -c 'SELECT generate_cqrs_data()'
--   psql -X -f bench/cascade.sql
--   psql -X -f bench/cascade_projections.sql [-v rounds=15] [-v server=42]
-- Each run is one transaction, rolled back, so every run starts from the
-- same data; round 0 warms up and is not counted.

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
SET jit = off;
\pset footer off

SET client_min_messages = warning;
\ir cascade_lib.sql
RESET client_min_messages;

\echo
\echo 'The cascade through generated projections'
\echo 'Replacing tv_dns_server, tv_network_configuration and tv_allocation by'
\echo 'generated projections (fixtures/cqrs_projections.sql) ...'
SELECT clock_timestamp() AS created_from \gset
\o /dev/null
\ir ../fixtures/cqrs_projections.sql
\o
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'created_from'::timestamptz))
	AS create_ms \gset
\echo 'created and filled in' :create_ms 'ms; how a change of bench_dns_servers is maintained:'
SELECT e.*
FROM unnest(ARRAY['tv_dns_server', 'tv_network_configuration', 'tv_allocation']) AS p,
	LATERAL jsonb_ivm_explain_projection(p) AS e
WHERE e.source ~ '(^|\.)(bench_dns_servers|tv_dns_server|tv_network_configuration)$';

-- One run: the UPDATE of the base row, timed, then what it left; rolled
-- back.  Round 0 also checksums the projections and their definitions.
CREATE OR REPLACE PROCEDURE pg_temp.generated_cascade(round_no integer,
	server integer, new_ip text)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	t1 timestamptz;
	n_conf bigint;
	n_alloc bigint;
	sum_after text;
	sum_rebuilt text;
BEGIN
	t0 := clock_timestamp();
	UPDATE bench_dns_servers SET ip = new_ip WHERE id = server;
	t1 := clock_timestamp();
	SELECT count(*) INTO n_conf FROM tv_network_configuration
	WHERE data->'dns_servers' @> jsonb_build_array(jsonb_build_object('ip', new_ip));
	SELECT count(*) INTO n_alloc FROM tv_allocation
	WHERE data->'network_configuration'->'dns_servers' @> jsonb_build_array(jsonb_build_object('ip', new_ip));
	IF round_no = 0 THEN
		sum_after := bench.projection_checksum(false);
		sum_rebuilt := bench.projection_checksum(true);
	END IF;
	ROLLBACK;
	INSERT INTO bench.cascade_run VALUES ('demo_generated', round_no, 'generated',
		NULL, NULL, NULL, 1000 * extract(epoch FROM t1 - t0), n_conf, n_alloc,
		sum_after, sum_rebuilt);
	COMMIT;
END
$$;

DELETE FROM bench.cascade_run WHERE label = 'demo_generated';
\echo 'Running' :rounds 'rounds (plus one warm-up) ...'
SELECT format('CALL pg_temp.generated_cascade(%s, %s, %L)', r, :server, :'new_ip'),
	'VACUUM bench_dns_servers, tv_dns_server, tv_network_configuration, tv_allocation'
FROM generate_series(0, :rounds) AS r
\gexec

\echo
\echo 'Median time of the whole cascade over' :rounds 'rounds, in ms (bench/cascade.sql''s'
\echo 'contenders from its last run in this database, when there is one):'
SELECT c.contender, c.runs, round(c.total::numeric, 3) AS "total ms",
	round((c.total / g.total)::numeric, 2) || 'x' AS "relative to generated"
FROM (
	SELECT CASE contender WHEN 'seed' THEN 'A seed native' WHEN 'best' THEN 'B best native'
			WHEN 'ivm_merge' THEN 'C jsonb_ivm' WHEN 'ivm' THEN 'D jsonb_ivm patch'
			WHEN 'generated' THEN 'G generated projections' ELSE contender END AS contender,
		count(*) AS runs,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY total_ms) AS total
	FROM bench.cascade_run
	WHERE label IN ('demo', 'demo_generated') AND round > 0
	GROUP BY 1
) AS c,
	(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total_ms) AS total
	 FROM bench.cascade_run WHERE label = 'demo_generated' AND round > 0) AS g
ORDER BY c.contender;

-- Right when every run touched the expected documents, and the warm-up
-- left the projections equal to their definitions and to what the other
-- contenders left (when they ran).
SELECT (SELECT count(*) FROM bench_nc_dns_mapping WHERE dns_server_id = :server) AS n_conf,
	(SELECT count(*) FROM bench_allocations WHERE network_configuration_id IN
		(SELECT network_configuration_id FROM bench_nc_dns_mapping WHERE dns_server_id = :server))
		AS n_alloc
\gset
SELECT CASE WHEN bool_and(configurations_changed = :n_conf)
		AND bool_and(allocations_changed = :n_alloc)
		AND min(checksum) = min(rebuilt_checksum)
		AND coalesce(min(checksum) = (SELECT max(checksum) FROM bench.cascade_run
			WHERE label = 'demo' AND contender <> 'floor'), true)
	THEN 'yes' ELSE 'no' END AS identical
FROM bench.cascade_run
WHERE label = 'demo_generated'
\gset
SELECT (SELECT count(*) FROM jsonb_ivm_check_projection('tv_dns_server'))
	+ (SELECT count(*) FROM jsonb_ivm_check_projection('tv_network_configuration'))
	+ (SELECT count(*) FROM jsonb_ivm_check_projection('tv_allocation')) AS problems
\gset
\echo 'results identical:' :identical '(every run changed' :n_conf 'configurations and' :n_alloc 'allocations;'
\echo 'the warm-up left the same projections as the definitions and the other contenders);'
\echo 'rows where a projection differs from its query now:' :problems
SELECT :'identical' = 'no' OR :problems <> 0 AS disagree \gset
\if :disagree
	DO $$ BEGIN RAISE EXCEPTION 'the generated projections do not produce the same documents'; END $$;
\endif
