-- The native cascade of one DNS server change (bench/cascade_lib.sql,
-- contender seed, tuned storage): the server's row and document, then each
-- configuration that embeds it re-aggregates its servers with jsonb_agg,
-- then each allocation that embeds one of those takes the whole new
-- configuration with jsonb_set.  The configurations are found as
-- cascade_bulk finds them: Citus refuses the single cascade's form, a CTE
-- of the affected configurations joined to a correlated subquery
-- ("correlated subqueries are not supported when the FROM clause contains
-- a CTE or subquery").  psql variables: server, new_ip, and
-- explain (empty to run the statements, or an EXPLAIN to show them).
-- One transaction, as a trigger would run it.
BEGIN;
:explain UPDATE bench_dns_servers SET ip = :'new_ip' WHERE id = :server;
:explain UPDATE tv_dns_server SET data = jsonb_set(data, '{ip}', to_jsonb(:'new_ip'::text))
WHERE id = :server;
:explain UPDATE tv_network_configuration nc
SET data = jsonb_set(nc.data, '{dns_servers}',
	(SELECT jsonb_agg(v.data ORDER BY m.priority)
	 FROM bench_nc_dns_mapping m
	 JOIN tv_dns_server v ON v.id = m.dns_server_id
	 WHERE m.network_configuration_id = nc.id))
WHERE nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
				WHERE dns_server_id = :server);
:explain UPDATE tv_allocation
SET data = jsonb_set(data, '{network_configuration}',
	(SELECT nc.data FROM tv_network_configuration nc
	 WHERE nc.id = tv_allocation.network_configuration_id))
WHERE network_configuration_id IN (
	SELECT network_configuration_id FROM bench_nc_dns_mapping
	WHERE dns_server_id = :server);
COMMIT;
