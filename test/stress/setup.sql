-- test/stress/setup.sql: what the pgbench scripts of test/stress/ need on
-- top of the CQRS fixture, its projections and a trigger recipe (loaded
-- by test/t/030_stress.pl).
--
-- pgbench 15 retries deadlocks but aborts a client on any other error, so
-- the changes that a constraint may reject under concurrency (a server
-- joining a configuration it already is in, two servers taking the same
-- priority, a server retired while another client adds it somewhere) run
-- in these functions, which catch the rejection the way an application
-- would: the statement and everything its triggers did roll back to a
-- savepoint, and the function returns 0.  Deadlocks are not caught: they
-- reach pgbench, which retries the whole transaction.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS stress;

-- ids for the servers the run creates
DROP SEQUENCE IF EXISTS stress.server_id;
CREATE SEQUENCE stress.server_id;
SELECT setval('stress.server_id', (SELECT max(id) FROM bench_dns_servers));

-- The server at position pick (wrapping) of a configuration, in server
-- order, or NULL when the configuration has none.
CREATE OR REPLACE FUNCTION stress.server_at(configuration_id integer, pick integer)
RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT dns_server_id FROM bench_nc_dns_mapping m
	WHERE m.network_configuration_id = server_at.configuration_id
	ORDER BY dns_server_id
	OFFSET pick % greatest((SELECT count(*) FROM bench_nc_dns_mapping n
		WHERE n.network_configuration_id = server_at.configuration_id), 1)
	LIMIT 1
$$;

-- A server of configuration from_id moves to configuration to_id, at a new
-- priority there.
CREATE OR REPLACE FUNCTION stress.move_server(from_id integer, to_id integer,
	pick integer, new_priority integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	UPDATE bench_nc_dns_mapping SET network_configuration_id = to_id, priority = new_priority
	WHERE network_configuration_id = from_id
		AND dns_server_id = stress.server_at(from_id, pick);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
EXCEPTION WHEN integrity_constraint_violation THEN
	RETURN 0;
END
$$;

-- A server of a configuration takes another priority there.
CREATE OR REPLACE FUNCTION stress.set_priority(configuration_id integer, pick integer,
	new_priority integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	UPDATE bench_nc_dns_mapping m SET priority = new_priority
	WHERE m.network_configuration_id = set_priority.configuration_id
		AND m.dns_server_id = stress.server_at(set_priority.configuration_id, pick);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
EXCEPTION WHEN integrity_constraint_violation THEN
	RETURN 0;
END
$$;

-- Up to k servers from server_id on (in id order) join a configuration,
-- at consecutive priorities from first_priority, in one statement; those
-- already there are skipped.
CREATE OR REPLACE FUNCTION stress.join_servers(configuration_id integer, server_id integer,
	k integer, first_priority integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	INSERT INTO bench_nc_dns_mapping
	SELECT join_servers.configuration_id, s.id,
		first_priority + row_number() OVER (ORDER BY s.id) - 1
	FROM (SELECT id FROM bench_dns_servers s WHERE s.id >= server_id
		AND NOT EXISTS (SELECT FROM bench_nc_dns_mapping m
			WHERE m.network_configuration_id = join_servers.configuration_id
				AND m.dns_server_id = s.id)
		ORDER BY id LIMIT k) s
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
EXCEPTION WHEN integrity_constraint_violation THEN
	RETURN 0;
END
$$;

-- A new server, in one configuration.
CREATE OR REPLACE FUNCTION stress.new_server(configuration_id integer, a integer,
	new_priority integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	id integer := nextval('stress.server_id');
BEGIN
	INSERT INTO bench_dns_servers VALUES (id, '10.99.' || a || '.1', 53, 'active', NULL);
	INSERT INTO bench_nc_dns_mapping VALUES (configuration_id, id, new_priority);
	RETURN 1;
EXCEPTION WHEN integrity_constraint_violation THEN
	RETURN 0;
END
$$;

-- The oldest server the run created leaves every configuration and is
-- deleted.
CREATE OR REPLACE FUNCTION stress.retire_server(first_new integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	victim integer;
BEGIN
	SELECT min(id) INTO victim FROM bench_dns_servers WHERE id >= first_new;
	DELETE FROM bench_nc_dns_mapping WHERE dns_server_id = victim;
	DELETE FROM bench_dns_servers WHERE id = victim;
	RETURN 1;
EXCEPTION WHEN integrity_constraint_violation THEN
	RETURN 0;
END
$$;

RESET client_min_messages;
