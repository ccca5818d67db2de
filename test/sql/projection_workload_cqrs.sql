-- The seed's projections as generated projections (fixtures/cqrs_projections.sql):
-- tv_allocation embeds tv_network_configuration, which embeds the
-- tv_dns_server documents of its servers by priority.  A seeded random
-- workload of every change kind on every base table
-- (test/lib/projection_workload.sql) runs in transactions of one to three
-- statements; after each, jsonb_ivm_check_projection must be empty for all
-- three.  At the end each projection equals the seed's own view, byte for
-- byte, in both directions.
SET jit = off;
\set ECHO none
\i test/lib/helpers.sql
\i test/lib/projection_workload.sql
\i fixtures/cqrs.sql
\set ECHO all
SELECT generate_cqrs_data(5, 20);
\set ECHO none
\i fixtures/cqrs_projections.sql
\set ECHO all

-- section: equal after creation
SELECT (SELECT count(*) FROM tv_dns_server) AS servers,
	(SELECT count(*) FROM tv_network_configuration) AS configurations,
	(SELECT count(*) FROM tv_allocation) AS allocations;
SELECT * FROM jsonb_ivm_check_projection('tv_dns_server');
SELECT * FROM jsonb_ivm_check_projection('tv_network_configuration');
SELECT * FROM jsonb_ivm_check_projection('tv_allocation');

-- section: random workload, checked after every transaction
CALL ivm_test.run_workload('cqrs', 1, 800,
	ARRAY['tv_dns_server', 'tv_network_configuration', 'tv_allocation']);
SELECT * FROM ivm_test.workload_summary ORDER BY kind;
SELECT * FROM ivm_test.workload_problems;
SELECT transaction, projection, problem FROM ivm_test.workload_problem
ORDER BY transaction, projection, problem LIMIT 10;

-- section: byte-exact comparison with the seed's views, both ways
SELECT (SELECT count(*) FROM tv_dns_server) AS servers,
	(SELECT count(*) FROM tv_network_configuration) AS configurations,
	(SELECT count(*) FROM tv_allocation) AS allocations,
	(SELECT count(*) FROM tv_allocation WHERE data->'network_configuration' = 'null') AS without_configuration,
	(SELECT count(*) FROM tv_network_configuration WHERE data->'dns_servers' = '[]') AS without_servers,
	(SELECT count(*) FROM tv_allocation WHERE pg_column_size(data) > 2000) AS toasted_allocations;
SELECT * FROM ivm_test.projection_differences('tv_dns_server', 'v_dns_server');
SELECT * FROM ivm_test.projection_differences('tv_network_configuration', 'v_network_configuration');
SELECT * FROM ivm_test.projection_differences('tv_allocation', 'v_allocation');

-- section: the checks can fail
-- changes the triggers do not see leave the projections behind
SET session_replication_role = replica;
UPDATE bench_dns_servers SET port = port + 1000
WHERE id = (SELECT min(dns_server_id) FROM bench_nc_dns_mapping);
RESET session_replication_role;
SELECT (SELECT count(*) FROM jsonb_ivm_check_projection('tv_dns_server')) > 0 AS server_differs,
	(SELECT count(*) FROM jsonb_ivm_check_projection('tv_network_configuration')) > 0 AS configuration_differs,
	(SELECT count(*) FROM ivm_test.projection_differences('tv_dns_server', 'v_dns_server')) AS server_rows,
	(SELECT count(*) FROM ivm_test.projection_differences('tv_network_configuration',
		'v_network_configuration')) > 0 AS configuration_rows_differ;
-- a refresh brings them back
SELECT jsonb_ivm_refresh_projection('tv_dns_server');
SELECT jsonb_ivm_refresh_projection('tv_network_configuration');
SELECT jsonb_ivm_refresh_projection('tv_allocation');
SELECT * FROM jsonb_ivm_check_projection('tv_dns_server');
SELECT * FROM jsonb_ivm_check_projection('tv_network_configuration');
SELECT * FROM jsonb_ivm_check_projection('tv_allocation');
SELECT count(*) FROM ivm_test.projection_differences('tv_allocation', 'v_allocation');

SET client_min_messages = warning;
SELECT jsonb_ivm_drop_projection('tv_allocation');
SELECT jsonb_ivm_drop_projection('tv_network_configuration');
SELECT jsonb_ivm_drop_projection('tv_dns_server');
DROP SCHEMA ivm_test CASCADE;
DROP TABLE bench_allocations, bench_nc_dns_mapping, bench_network_configs,
	bench_dns_servers CASCADE;
DROP FUNCTION generate_cqrs_data(integer, integer, integer, boolean);
