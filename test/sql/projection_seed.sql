-- The seed's three projections, written as queries over the base tables
-- and over one another: allocation embeds configuration, which embeds DNS
-- servers through the mapping.  Changes cascade along the chain.
SET client_min_messages = warning;
\i fixtures/cqrs.sql
SELECT generate_cqrs_data(5, 12);
DROP VIEW v_allocation, v_network_configuration, v_dns_server;
DROP TABLE tv_allocation, tv_network_configuration, tv_dns_server;

SELECT jsonb_ivm_create_projection('tv_dns_server', $q$
	SELECT s.id,
		jsonb_build_object('id', s.id, 'ip', s.ip, 'port', s.port, 'status', s.status)
		|| CASE WHEN s.payload IS NULL THEN '{}'::jsonb
			ELSE jsonb_build_object('payload', s.payload) END AS data
	FROM bench_dns_servers s$q$);
SELECT jsonb_ivm_create_projection('tv_network_configuration', $q$
	SELECT nc.id,
		jsonb_build_object(
			'id', nc.id,
			'name', nc.name,
			'gateway_ip', nc.gateway_ip,
			'subnet_mask', nc.subnet_mask,
			'dns_servers', coalesce((
				SELECT jsonb_agg(v.data ORDER BY m.priority)
				FROM bench_nc_dns_mapping m
				JOIN tv_dns_server v ON v.id = m.dns_server_id
				WHERE m.network_configuration_id = nc.id), '[]'::jsonb),
			'created_at', nc.created_at) AS data
	FROM bench_network_configs nc$q$);
SELECT jsonb_ivm_create_projection('tv_allocation', $q$
	SELECT a.id, a.network_configuration_id,
		jsonb_build_object(
			'id', a.id,
			'name', a.name,
			'network_configuration', nc.data,
			'machine', jsonb_build_object('name', a.machine_name, 'status', 'active'),
			'storage', jsonb_build_object('size_gb', a.storage_size_gb, 'type', 'SSD')) AS data
	FROM bench_allocations a
	LEFT JOIN tv_network_configuration nc ON nc.id = a.network_configuration_id$q$);

-- section: the layout
SELECT c.relname, c.reloptions, i.indexrelid::regclass AS index
FROM pg_class c LEFT JOIN pg_index i ON i.indrelid = c.oid
WHERE c.relname IN ('tv_dns_server', 'tv_network_configuration', 'tv_allocation')
ORDER BY 1, 3;

-- section: how each source is maintained
SELECT * FROM jsonb_ivm_explain_projection('tv_dns_server');
SELECT * FROM jsonb_ivm_explain_projection('tv_network_configuration');
SELECT * FROM jsonb_ivm_explain_projection('tv_allocation');

\set ECHO none
\i test/lib/projection.sql
\set ECHO all
SELECT * FROM all_checks();

-- section: the cascade, one change of each kind
UPDATE bench_dns_servers SET ip = '10.0.0.1' WHERE id = 3;
SELECT * FROM all_checks();
SELECT data->'network_configuration'->'dns_servers'->0 AS first_server
FROM tv_allocation WHERE id = 1;
UPDATE bench_dns_servers SET payload = 'extra' WHERE id IN (1, 2, 3);
SELECT * FROM all_checks();
UPDATE bench_dns_servers SET payload = NULL WHERE id = 2;	-- a key disappears
SELECT * FROM all_checks();
UPDATE bench_nc_dns_mapping SET priority = priority + 10 WHERE dns_server_id = 1;	-- moves
SELECT * FROM all_checks();
DELETE FROM bench_nc_dns_mapping WHERE dns_server_id = 4;
SELECT * FROM all_checks();
INSERT INTO bench_nc_dns_mapping VALUES (1, 4, 0), (2, 4, 100);
SELECT * FROM all_checks();
UPDATE bench_nc_dns_mapping SET network_configuration_id = 3 WHERE network_configuration_id = 2 AND dns_server_id = 4;
SELECT * FROM all_checks();
UPDATE bench_network_configs SET name = 'renamed', gateway_ip = '10.1.1.1' WHERE id <= 3;
SELECT * FROM all_checks();
INSERT INTO bench_network_configs VALUES (100, 'new', 'g', 'm', '2024-01-01');
UPDATE bench_allocations SET network_configuration_id = 100 WHERE id = 1;
SELECT * FROM all_checks();
UPDATE bench_allocations SET network_configuration_id = NULL WHERE id = 2;
SELECT * FROM all_checks();
UPDATE bench_allocations SET id = 1000 WHERE id = 3;
SELECT * FROM all_checks();
DELETE FROM bench_allocations WHERE id = 4;
SELECT * FROM all_checks();
INSERT INTO bench_dns_servers VALUES (1000, '1.1.1.1', 53, 'active', NULL);
INSERT INTO bench_nc_dns_mapping VALUES (100, 1000, 1);
SELECT * FROM all_checks();
SELECT data FROM tv_allocation WHERE id = 1;
-- a bulk statement over many servers
UPDATE bench_dns_servers SET status = 'maintenance' WHERE id % 2 = 0;
SELECT * FROM all_checks();
TRUNCATE bench_allocations;
SELECT * FROM all_checks();
SELECT count(*) FROM tv_allocation;

-- section: the cascade without recomputing a document: the generated
-- functions called by one change of each kind, in one transaction
SET track_functions = 'pl';
BEGIN;
UPDATE bench_dns_servers SET status = 'inactive' WHERE id = 5;
UPDATE bench_network_configs SET name = 'again' WHERE id = 5;
INSERT INTO bench_nc_dns_mapping VALUES (5, 2, 0);
UPDATE bench_nc_dns_mapping SET priority = 50 WHERE network_configuration_id = 5 AND dns_server_id = 2;
DELETE FROM bench_nc_dns_mapping WHERE network_configuration_id = 5 AND dns_server_id = 2;
INSERT INTO bench_allocations VALUES (2000, 'new', 5, 'm', 1);
UPDATE bench_allocations SET storage_size_gb = 2 WHERE id = 2000;
SELECT funcname, calls FROM pg_stat_xact_user_functions
WHERE funcname LIKE 'tv\_%' ORDER BY 1;
COMMIT;
RESET track_functions;
SELECT * FROM all_checks();

-- section: byte-exact against the query
SELECT count(*) AS differing FROM (
	SELECT id, data::text FROM tv_network_configuration
	EXCEPT ALL SELECT id, data::text FROM tv_network_configuration_definition
	UNION ALL
	SELECT id, data::text FROM tv_network_configuration_definition
	EXCEPT ALL SELECT id, data::text FROM tv_network_configuration) x;

SELECT jsonb_ivm_drop_projection('tv_allocation');
SELECT jsonb_ivm_drop_projection('tv_network_configuration');
SELECT jsonb_ivm_drop_projection('tv_dns_server');
DROP FUNCTION all_checks(), recomputes(text);
DROP TABLE bench_allocations, bench_nc_dns_mapping, bench_network_configs, bench_dns_servers;
DROP FUNCTION generate_cqrs_data(integer, integer, integer, boolean);
