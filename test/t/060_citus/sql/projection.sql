-- Generated projections of plain tables on the coordinator (schema proj
-- here, next to the distributed fixture of layout.sql), which Citus leaves
-- alone, and the mixed layouts jsonb_ivm_create_projection refuses
-- (distributed.sql has the projections of distributed tables).
-- Statements marked "fails" are expected to fail.
\set VERBOSITY terse
SET client_min_messages = warning;
-- the fixture's views and the projections' definition views and functions
-- stay on the coordinator, the only node that reads them (with DDL
-- propagation on, Citus warns that it creates them there only)
SET citus.enable_ddl_propagation = off;
CREATE SCHEMA proj;
-- fixtures/cqrs.sql and its data in proj, not echoed
SET search_path = proj;
\set ECHO none
\i fixtures/cqrs.sql
SELECT generate_cqrs_data(5, 20);
SET search_path = proj, public;
\i test/lib/helpers.sql
\i test/lib/projection_workload.sql
\i fixtures/cqrs_projections.sql
\set ECHO all
RESET citus.enable_ddl_propagation;
RESET client_min_messages;

-- section: the layout: no table of proj is in Citus's metadata
SELECT projection, source_tables FROM jsonb_ivm_projections
WHERE schema_name = 'proj' ORDER BY projection;
SELECT count(*) AS citus_tables FROM pg_dist_partition
WHERE logicalrelid::regclass::text LIKE 'proj.%';
SELECT * FROM jsonb_ivm_check_projection('tv_dns_server');
SELECT * FROM jsonb_ivm_check_projection('tv_network_configuration');
SELECT * FROM jsonb_ivm_check_projection('tv_allocation');

-- section: a random workload of every change kind, checked after every
-- transaction (test/lib/projection_workload.sql)
CALL ivm_test.run_workload('cqrs', 1, :transactions,
	ARRAY['tv_dns_server', 'tv_network_configuration', 'tv_allocation']);
SELECT * FROM ivm_test.workload_summary ORDER BY kind;
-- what the checks after each transaction found (nothing)
SELECT transaction, projection, problem FROM ivm_test.workload_problem
ORDER BY 1, 2, 3 LIMIT 10;
-- byte for byte the fixture's views, both ways
SELECT p.name, d.* FROM unnest(ARRAY['dns_server', 'network_configuration', 'allocation']) AS p (name),
	ivm_test.projection_differences('tv_' || p.name, 'v_' || p.name) AS d;

-- section: the checks can fail
-- a change that the disabled trigger does not see leaves tv_allocation behind
ALTER TABLE bench_allocations DISABLE TRIGGER tv_allocation_ivm_update;
UPDATE bench_allocations SET name = name || ' (unseen)'
WHERE id = (SELECT min(id) FROM bench_allocations);
ALTER TABLE bench_allocations ENABLE TRIGGER tv_allocation_ivm_update;
SELECT c.key, c.problem, (SELECT count(*) FROM ivm_test.projection_differences('tv_allocation', 'v_allocation')) AS rows
FROM jsonb_ivm_check_projection('tv_allocation') AS c;
-- a refresh brings it back
SELECT jsonb_ivm_refresh_projection('tv_allocation');
SELECT * FROM jsonb_ivm_check_projection('tv_allocation');

-- section: layouts that are refused
-- fails: a plain root with a distributed child (the error in full, and
-- its SQLSTATE)
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT jsonb_ivm_create_projection('proj.tv_server_configurations', $q$
	SELECT s.id, jsonb_build_object('ip', s.ip, 'configurations', (
		SELECT jsonb_agg(m.network_configuration_id ORDER BY m.network_configuration_id)
		FROM public.bench_nc_dns_mapping m WHERE m.dns_server_id = s.id)) AS data
	FROM proj.bench_dns_servers s
$q$);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
-- fails: a Citus local table as source
CREATE TABLE proj.note (id integer PRIMARY KEY, body text NOT NULL);
SELECT citus_add_local_table_to_metadata('proj.note');
SELECT jsonb_ivm_create_projection('proj.tv_note', $q$
	SELECT n.id, jsonb_build_object('body', n.body) AS data FROM proj.note n
$q$);
-- nothing of them is left behind
SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
WHERE s.nspname = 'proj' AND (c.relname LIKE 'tv\_configuration\_names%'
	OR c.relname LIKE 'tv\_server\_%' OR c.relname LIKE 'tv\_note%');
SELECT count(*) FROM jsonb_ivm_projections WHERE schema_name = 'proj';
-- fails: Citus does not distribute a source or a projection later (they
-- have triggers)
SELECT create_reference_table('proj.bench_dns_servers');
SELECT create_distributed_table('proj.tv_allocation', 'id');
