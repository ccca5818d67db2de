-- The trigger recipes (recipes/*.sql) keep the CQRS projections equal to
-- a rebuild: after a seeded random workload of mixed statements on every
-- base table, each projection equals its definition, compared as text in
-- both directions (EXCEPT ALL), the way pg_ivm tests its views.
SET jit = off;
\set ECHO none
\i fixtures/cqrs.sql
\set ECHO all
SELECT generate_cqrs_data(5, 20) IS NOT NULL AS generated;

-- section: row-level triggers
\set ECHO none
\i recipes/cqrs_projections.sql
\i recipes/cqrs_row_triggers.sql
\i test/lib/workload.sql
\set ECHO all
SELECT * FROM ivm_test.projection_differences;
SELECT * FROM ivm_test.workload(1, 2000);
SELECT * FROM ivm_test.projection_differences;

-- section: statement-level triggers with transition tables
SET client_min_messages = warning;
DROP SCHEMA ivm_test CASCADE;
DROP TABLE bench_allocations, bench_nc_dns_mapping, bench_network_configs,
	bench_dns_servers CASCADE;
RESET client_min_messages;
SELECT generate_cqrs_data(5, 20) IS NOT NULL AS generated;
\set ECHO none
\i recipes/cqrs_projections.sql
\i recipes/cqrs_statement_triggers.sql
\i test/lib/workload.sql
\set ECHO all
SELECT * FROM ivm_test.workload(7, 2000);
SELECT * FROM ivm_test.projection_differences;

-- section: the comparison can fail
-- a change the triggers do not see leaves the projections behind
ALTER TABLE bench_nc_dns_mapping DISABLE TRIGGER USER;
UPDATE bench_nc_dns_mapping SET priority = priority + 500
WHERE network_configuration_id = (SELECT min(network_configuration_id) FROM bench_nc_dns_mapping);
SELECT projection, count(*) > 0 AS differs FROM ivm_test.projection_differences GROUP BY 1 ORDER BY 1;

SET client_min_messages = warning;
DROP SCHEMA ivm_test CASCADE;
DROP TABLE tv_allocation, tv_network_configuration, tv_dns_server,
	bench_allocations, bench_nc_dns_mapping, bench_network_configs, bench_dns_servers CASCADE;
