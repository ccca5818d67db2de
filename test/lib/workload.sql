-- A seeded random workload on the CQRS fixture's base tables, and the
-- check that the maintained projections equal a rebuild.  Used by
-- test/sql/recipes.sql, test/specs/recipe_interleavings.spec.in and
-- test/t/030_stress.pl; load with \i after fixtures/cqrs.sql.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS ivm_test;

-- MINSTD: a random number generator of our own, so that the workload is
-- the same on every PostgreSQL version (random() changed in 15).
CREATE OR REPLACE FUNCTION ivm_test.rand(INOUT state bigint, bound integer, OUT value integer)
LANGUAGE sql IMMUTABLE AS $$
	SELECT (state * 48271) % 2147483647, (((state * 48271) % 2147483647) % bound)::integer
$$;

-- Run n statements chosen at random; returns how many of each kind ran,
-- how many rows they changed, and how many a constraint rejected (those
-- roll back with everything their triggers did).
CREATE OR REPLACE FUNCTION ivm_test.workload(seed bigint, n integer)
RETURNS TABLE (kind text, statements integer, rows_changed bigint, rejected integer)
LANGUAGE plpgsql AS $$
DECLARE
	st bigint := seed;
	op integer;
	a integer;
	b integer;
	c integer;
	kinds text[] := ARRAY['server update', 'server payload', 'servers bulk update',
		'server insert', 'server delete', 'mapping insert', 'mapping delete',
		'priority change', 'server moves', 'priorities bulk shift',
		'server leaves all', 'configuration update', 'configuration insert',
		'configuration delete', 'allocation update', 'allocation moves',
		'allocation insert', 'allocation delete', 'allocations bulk update',
		'configuration cleared', 'servers bulk join'];
	nkinds integer := 21;
	done integer[] := array_fill(0, ARRAY[21]);
	changed bigint[] := array_fill(0::bigint, ARRAY[21]);
	failed integer[] := array_fill(0, ARRAY[21]);
	cnt bigint;
	max_server integer;
	max_configuration integer;
	max_allocation integer;
	i integer;
BEGIN
	SELECT max(id) INTO max_server FROM bench_dns_servers;
	SELECT max(id) INTO max_configuration FROM bench_network_configs;
	SELECT max(id) INTO max_allocation FROM bench_allocations;
	FOR i IN 1 .. n LOOP
		SELECT * INTO st, op FROM ivm_test.rand(st, nkinds);
		op := op + 1;
		-- emptying configurations is rarer than filling them
		IF op IN (11, 20) AND i % 3 <> 0 THEN
			op := 6;
		END IF;
		SELECT * INTO st, a FROM ivm_test.rand(st, max_server + 5);
		SELECT * INTO st, b FROM ivm_test.rand(st, max_configuration + 3);
		SELECT * INTO st, c FROM ivm_test.rand(st, 1000);
		a := a + 1;
		b := b + 1;
		cnt := 0;
		BEGIN
			CASE op
			WHEN 1 THEN
				UPDATE bench_dns_servers SET ip = '10.' || c || '.0.' || a,
					port = 53 + c % 7, status = CASE WHEN c % 3 = 0 THEN 'inactive' ELSE 'active' END
				WHERE id = a;
			WHEN 2 THEN
				UPDATE bench_dns_servers SET payload = CASE WHEN c % 2 = 0 THEN NULL ELSE repeat('p', c % 40) END
				WHERE id = a;
			WHEN 3 THEN
				UPDATE bench_dns_servers SET port = port + 1, status = CASE WHEN status = 'active' THEN 'inactive' ELSE 'active' END
				WHERE id % (2 + c % 5) = a % 3;
			WHEN 4 THEN
				max_server := max_server + 1;
				INSERT INTO bench_dns_servers VALUES (max_server, '8.8.' || c || '.1', 53, 'active', NULL);
			WHEN 5 THEN
				DELETE FROM bench_dns_servers WHERE id = a;
			WHEN 6 THEN
				INSERT INTO bench_nc_dns_mapping VALUES (b, (a * 31 + c) % max_server + 1, c % 60 + 1);
			WHEN 7 THEN
				DELETE FROM bench_nc_dns_mapping
				WHERE network_configuration_id = b AND dns_server_id = (
					SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = b
					ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
			WHEN 8 THEN
				UPDATE bench_nc_dns_mapping SET priority = c % 60 + 1
				WHERE network_configuration_id = b AND dns_server_id = (
					SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = b
					ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
			WHEN 9 THEN
				UPDATE bench_nc_dns_mapping SET network_configuration_id = c % max_configuration + 1,
					priority = 60 + c % 40
				WHERE network_configuration_id = b AND dns_server_id = (
					SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = b
					ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
			WHEN 10 THEN
				UPDATE bench_nc_dns_mapping SET priority = priority + 1000 - (
					SELECT min(priority) FROM bench_nc_dns_mapping WHERE network_configuration_id = b)
				WHERE network_configuration_id = b;
			WHEN 11 THEN
				DELETE FROM bench_nc_dns_mapping WHERE dns_server_id = a;
			WHEN 12 THEN
				UPDATE bench_network_configs SET name = 'Network ' || c, gateway_ip = '172.16.' || c || '.1'
				WHERE id = b;
			WHEN 13 THEN
				max_configuration := max_configuration + 1;
				INSERT INTO bench_network_configs VALUES (max_configuration, 'New ' || c,
					'10.1.' || c || '.1', '255.255.0.0', '2026-01-01 00:00:00+00');
			WHEN 14 THEN
				DELETE FROM bench_network_configs WHERE id = b;
			WHEN 15 THEN
				UPDATE bench_allocations SET name = 'Allocation ' || c, storage_size_gb = c
				WHERE id = (a * 7) % max_allocation + 1;
			WHEN 16 THEN
				UPDATE bench_allocations SET network_configuration_id = CASE WHEN c % 10 = 0 THEN NULL ELSE b END
				WHERE id = (a * 7) % max_allocation + 1;
			WHEN 17 THEN
				max_allocation := max_allocation + 1;
				INSERT INTO bench_allocations VALUES (max_allocation, 'Allocation ' || c, b, 'Machine-' || c, 100);
			WHEN 18 THEN
				DELETE FROM bench_allocations WHERE id = (a * 7) % max_allocation + 1;
			WHEN 19 THEN
				UPDATE bench_allocations SET storage_size_gb = storage_size_gb + 10
				WHERE network_configuration_id = b;
			WHEN 20 THEN
				DELETE FROM bench_nc_dns_mapping WHERE network_configuration_id = b;
			WHEN 21 THEN
				INSERT INTO bench_nc_dns_mapping
				SELECT b, s.id, 100 + c % 50 + row_number() OVER (ORDER BY s.id)
				FROM bench_dns_servers s
				WHERE s.id % 7 = c % 7 AND NOT EXISTS (SELECT 1 FROM bench_nc_dns_mapping m
					WHERE m.network_configuration_id = b AND m.dns_server_id = s.id)
				ORDER BY s.id LIMIT 3;
			END CASE;
			GET DIAGNOSTICS cnt = ROW_COUNT;
			done[op] := done[op] + 1;
			changed[op] := changed[op] + cnt;
		EXCEPTION WHEN integrity_constraint_violation THEN
			failed[op] := failed[op] + 1;
		END;
	END LOOP;
	RETURN QUERY SELECT kinds[k], done[k], changed[k], failed[k]
		FROM generate_series(1, nkinds) k ORDER BY k;
END
$$;

-- Every row where a projection differs from its definition, compared as
-- text (jsonb = would call 53 and 53.0 equal), in both directions.
CREATE OR REPLACE VIEW ivm_test.projection_differences AS
	(SELECT 'tv_dns_server' AS projection, id, data::text FROM tv_dns_server
	 EXCEPT ALL SELECT 'tv_dns_server', id, data::text FROM v_dns_server)
	UNION ALL
	(SELECT 'v_dns_server', id, data::text FROM v_dns_server
	 EXCEPT ALL SELECT 'v_dns_server', id, data::text FROM tv_dns_server)
	UNION ALL
	(SELECT 'tv_network_configuration', id, data::text FROM tv_network_configuration
	 EXCEPT ALL SELECT 'tv_network_configuration', id, data::text FROM v_network_configuration)
	UNION ALL
	(SELECT 'v_network_configuration', id, data::text FROM v_network_configuration
	 EXCEPT ALL SELECT 'v_network_configuration', id, data::text FROM tv_network_configuration)
	UNION ALL
	(SELECT 'tv_allocation', id, network_configuration_id || ' ' || data::text FROM tv_allocation
	 EXCEPT ALL SELECT 'tv_allocation', v.id, a.network_configuration_id || ' ' || v.data::text
	 FROM v_allocation v JOIN bench_allocations a ON a.id = v.id)
	UNION ALL
	(SELECT 'v_allocation', v.id, a.network_configuration_id || ' ' || v.data::text
	 FROM v_allocation v JOIN bench_allocations a ON a.id = v.id
	 EXCEPT ALL SELECT 'v_allocation', id, network_configuration_id || ' ' || data::text FROM tv_allocation);

-- The verdict in one line: for each projection, the number of ids whose
-- rows differ from a rebuild (in either direction), and the first of them.
CREATE OR REPLACE FUNCTION ivm_test.difference_summary() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT string_agg(format('%s %s', p, n) || coalesce(' (ids ' || ids || ')', ''),
		', ' ORDER BY o)
	FROM (SELECT p, o, count(DISTINCT d.id) AS n,
			array_to_string((array_agg(DISTINCT d.id) FILTER (WHERE d.id IS NOT NULL))[1:10],
				', ') AS ids
		FROM unnest('{tv_dns_server,tv_network_configuration,tv_allocation}'::text[])
			WITH ORDINALITY AS t(p, o)
		LEFT JOIN ivm_test.projection_differences d
			ON d.projection IN (p, 'v' || substr(p, 3))
		GROUP BY p, o) s
$$;

-- The same, as a notice (for isolation specs, whose output shows notices
-- alike on every PostgreSQL version, unlike result sets).
CREATE OR REPLACE PROCEDURE ivm_test.report_differences()
LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'rows differing from a rebuild: %', ivm_test.difference_summary();
END
$$;
RESET client_min_messages;
