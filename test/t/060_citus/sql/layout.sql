-- The CQRS fixture (fixtures/cqrs.sql, tuned storage: tv_allocation holds
-- its configuration's id as a plain column) laid out across the cluster.
--
-- A change of a DNS server cascades by network configuration id: the
-- configurations that embed the server are found through the mapping
-- (bench_nc_dns_mapping.network_configuration_id = tv_network_configuration.id),
-- and the allocations that embed those configurations by the same id
-- (tv_allocation.network_configuration_id).  So every table keyed by a
-- configuration is distributed by the configuration id and co-located with
-- bench_network_configs: each join of the cascade then pairs shards that
-- live on the same worker, and each worker updates its own shards.
-- Allocations are distributed by their configuration's id, not their own:
-- Citus enforces a unique key only when it holds the distribution column,
-- so their primary keys become (network_configuration_id, id).
--
-- A server sits in ten configurations, spread over all shards: no key
-- co-locates it with them.  The servers and their documents are reference
-- tables instead, with a copy on every node: each worker reads the
-- server's document locally, and a change of a server is written to every
-- node (in one two-phase commit).
--
-- Four shards (two per worker): a statement that reaches every shard runs
-- on both workers.
SET client_min_messages = warning;
SET citus.shard_count = 4;
-- the fixture's views (v_*, the rebuild) stay on the coordinator, the only
-- node that reads them
SET citus.enable_ddl_propagation = off;
-- fixtures/cqrs.sql, not echoed
\set ECHO none
\i fixtures/cqrs.sql
\set ECHO all
SELECT generate_cqrs_data(10, 30, 0, true);
RESET citus.enable_ddl_propagation;
-- Citus takes no foreign key between a local table and a distributed one:
-- the keys go while the tables are distributed and come back after
ALTER TABLE bench_nc_dns_mapping
	DROP CONSTRAINT bench_nc_dns_mapping_network_configuration_id_fkey,
	DROP CONSTRAINT bench_nc_dns_mapping_dns_server_id_fkey;
ALTER TABLE bench_allocations
	DROP CONSTRAINT bench_allocations_network_configuration_id_fkey,
	DROP CONSTRAINT bench_allocations_pkey,
	ADD PRIMARY KEY (network_configuration_id, id);
ALTER TABLE tv_allocation DROP CONSTRAINT tv_allocation_pkey,
	ADD PRIMARY KEY (network_configuration_id, id);
SELECT create_reference_table('bench_dns_servers');
SELECT create_reference_table('tv_dns_server');
SELECT create_distributed_table('bench_network_configs', 'id');
SELECT create_distributed_table('tv_network_configuration', 'id',
	colocate_with => 'bench_network_configs');
SELECT create_distributed_table('bench_nc_dns_mapping', 'network_configuration_id',
	colocate_with => 'bench_network_configs');
SELECT create_distributed_table('bench_allocations', 'network_configuration_id',
	colocate_with => 'bench_network_configs');
SELECT create_distributed_table('tv_allocation', 'network_configuration_id',
	colocate_with => 'bench_network_configs');
-- (one constraint per ALTER TABLE: Citus refuses several)
ALTER TABLE bench_nc_dns_mapping
	ADD FOREIGN KEY (network_configuration_id) REFERENCES bench_network_configs (id);
ALTER TABLE bench_nc_dns_mapping
	ADD FOREIGN KEY (dns_server_id) REFERENCES bench_dns_servers (id);
ALTER TABLE bench_allocations
	ADD FOREIGN KEY (network_configuration_id) REFERENCES bench_network_configs (id);
-- the statistics of the shards, which the workers' plans depend on
ANALYZE;
-- the check against a rebuild (ivm_test.difference_summary) and the
-- benchmark's cascades (bench.cascade, bench.cascade_bulk)
\set ECHO none
\i test/lib/workload.sql
\i bench/cascade_lib.sql
\set ECHO all
RESET client_min_messages;

SELECT table_name, citus_table_type, distribution_column, shard_count,
	colocation_id = (SELECT colocation_id FROM citus_tables
		WHERE table_name = 'bench_network_configs'::regclass) AS co_located
FROM citus_tables
ORDER BY table_name::text;

-- where the shards are: distributed ones on the workers only, reference
-- tables on every node
SELECT c.table_name, count(*) AS placements, count(DISTINCT c.nodeport) AS nodes,
	bool_or(n.groupid = 0) AS on_coordinator
FROM citus_shards c
JOIN pg_dist_node n ON n.nodename = c.nodename AND n.nodeport = c.nodeport
GROUP BY c.table_name
ORDER BY c.table_name::text;
