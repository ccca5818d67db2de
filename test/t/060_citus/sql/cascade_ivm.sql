-- The jsonb_ivm cascade of one DNS server change (bench/cascade_lib.sql,
-- contender ivm, tuned storage): the server's row and document, then
-- jsonb_array_update_where replaces the server in each configuration that
-- embeds it, and in the configuration embedded in each allocation.  psql
-- variables: server, new_ip, and explain (empty to run the statements, or
-- an EXPLAIN to show them).
-- One transaction, as a trigger would run it.
BEGIN;
:explain UPDATE bench_dns_servers SET ip = :'new_ip' WHERE id = :server;
:explain UPDATE tv_dns_server
SET data = jsonb_merge_at_path(data, jsonb_build_object('ip', :'new_ip'::text), '{}')
WHERE id = :server;
:explain UPDATE tv_network_configuration nc
SET data = jsonb_array_update_where(nc.data, '{dns_servers}', 'id', to_jsonb(:server), s.data)
FROM tv_dns_server s
WHERE s.id = :server
  AND nc.id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
				WHERE dns_server_id = :server);
:explain UPDATE tv_allocation a
SET data = jsonb_array_update_where(a.data, '{network_configuration,dns_servers}',
	'id', to_jsonb(:server), s.data)
FROM tv_dns_server s
WHERE s.id = :server
  AND a.network_configuration_id IN (
	SELECT network_configuration_id FROM bench_nc_dns_mapping
	WHERE dns_server_id = :server);
COMMIT;
