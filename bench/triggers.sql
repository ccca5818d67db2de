-- bench/triggers.sql: the trigger-maintained cascade, jsonb_ivm's recipes
-- against the same triggers written with native SQL.
--
-- Needs the fixture (generate_cqrs_data) and recipes/cqrs_projections.sql
-- loaded.  A DNS server change reaches its configurations and their
-- allocations through the triggers: one server (row-level triggers), and
-- 100 servers in one UPDATE (statement-level triggers).  Each run is
-- rolled back (a subtransaction), contenders alternate, medians of
-- :rounds rounds; before timing, both contenders' projections are checked
-- against a rebuild.
--   psql -v rounds=15 -f bench/triggers.sql

\if :{?rounds}
\else
\set rounds 15
\endif
SET jit = off;
SELECT set_config('bench.rounds', :'rounds', false) \gset
SET client_min_messages = warning;
\i recipes/cqrs_row_triggers.sql
\i recipes/cqrs_statement_triggers.sql
\i bench/native_triggers.sql
SET client_min_messages = warning;

-- triggers per contender and mode; all created disabled
CREATE OR REPLACE FUNCTION bench_trigger_set(contender text, mode text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE 'ALTER TABLE bench_dns_servers DISABLE TRIGGER USER';
	EXECUTE 'ALTER TABLE tv_network_configuration DISABLE TRIGGER USER';
	IF contender = 'jsonb_ivm' AND mode = 'row' THEN
		EXECUTE 'ALTER TABLE bench_dns_servers ENABLE TRIGGER cqrs_dns_server';
		EXECUTE 'ALTER TABLE tv_network_configuration ENABLE TRIGGER cqrs_configuration_doc';
	ELSIF contender = 'jsonb_ivm' THEN
		EXECUTE 'ALTER TABLE bench_dns_servers ENABLE TRIGGER cqrs_dns_server_update';
		EXECUTE 'ALTER TABLE tv_network_configuration ENABLE TRIGGER cqrs_configuration_doc_update';
	ELSIF mode = 'row' THEN
		EXECUTE 'ALTER TABLE bench_dns_servers ENABLE TRIGGER cqrs_native_dns_server';
		EXECUTE 'ALTER TABLE tv_network_configuration ENABLE TRIGGER cqrs_native_configuration_doc';
	ELSE
		EXECUTE 'ALTER TABLE bench_dns_servers ENABLE TRIGGER cqrs_native_dns_server_update';
		EXECUTE 'ALTER TABLE tv_network_configuration ENABLE TRIGGER cqrs_native_configuration_doc_update';
	END IF;
END
$$;

CREATE TRIGGER cqrs_native_dns_server AFTER UPDATE ON bench_dns_servers
	FOR EACH ROW EXECUTE FUNCTION cqrs_native_dns_server_row();
CREATE TRIGGER cqrs_native_configuration_doc AFTER UPDATE ON tv_network_configuration
	FOR EACH ROW EXECUTE FUNCTION cqrs_native_configuration_doc_row();
CREATE TRIGGER cqrs_native_dns_server_update AFTER UPDATE ON bench_dns_servers
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_native_dns_server_update();
CREATE TRIGGER cqrs_native_configuration_doc_update AFTER UPDATE ON tv_network_configuration
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_native_configuration_doc_update();

-- the change: one server, or the 100 servers id % 5 = k % 5 (up to 500)
CREATE OR REPLACE FUNCTION bench_trigger_change(mode text, k integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF mode = 'row' THEN
		UPDATE bench_dns_servers SET ip = '9.9.' || k || '.9', status = 'inactive' WHERE id = k;
	ELSE
		UPDATE bench_dns_servers SET ip = '9.9.' || k || '.' || id, status = 'inactive'
		WHERE id % 5 = k % 5 AND id <= 500;
	END IF;
END
$$;

-- one timed run, rolled back; returns milliseconds, or the number of
-- projection rows differing from a rebuild when check is set
CREATE OR REPLACE FUNCTION bench_trigger_run(mode text, k integer, check_only boolean)
RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	result float8;
BEGIN
	BEGIN
		t0 := clock_timestamp();
		PERFORM bench_trigger_change(mode, k);
		result := extract(epoch FROM clock_timestamp() - t0) * 1000;
		IF check_only THEN
			SELECT count(*) INTO result FROM (
				(SELECT id, data::text FROM tv_network_configuration
				 EXCEPT ALL SELECT id, data::text FROM v_network_configuration)
				UNION ALL
				(SELECT id, data::text FROM tv_allocation
				 EXCEPT ALL SELECT id, data::text FROM v_allocation)) d;
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = result::text;
	EXCEPTION WHEN raise_exception THEN
		RETURN SQLERRM::float8;
	END;
END
$$;

CREATE TEMP TABLE bench_trigger_times (contender text, mode text, round integer, ms float8);
CREATE TEMP TABLE bench_trigger_checks (contender text, mode text, differing integer);

DO $$
DECLARE
	c text;
	m text;
	r integer;
BEGIN
	FOREACH m IN ARRAY ARRAY['row', 'statement'] LOOP
		FOREACH c IN ARRAY ARRAY['native', 'jsonb_ivm'] LOOP
			PERFORM bench_trigger_set(c, m);
			INSERT INTO bench_trigger_checks VALUES (c, m, bench_trigger_run(m, 42, true));
		END LOOP;
	END LOOP;
END
$$;

DO $$
DECLARE
	c text;
	m text;
	r integer;
BEGIN
	FOR r IN 0 .. current_setting('bench.rounds')::integer LOOP
		FOREACH m IN ARRAY ARRAY['row', 'statement'] LOOP
			FOREACH c IN ARRAY CASE WHEN r % 2 = 0 THEN ARRAY['native', 'jsonb_ivm']
					ELSE ARRAY['jsonb_ivm', 'native'] END LOOP
				PERFORM bench_trigger_set(c, m);
				-- round 0 warms up and is not kept
				IF r > 0 THEN
					INSERT INTO bench_trigger_times VALUES (c, m, r, bench_trigger_run(m, 40 + r, false));
				ELSE
					PERFORM bench_trigger_run(m, 40, false);
				END IF;
			END LOOP;
		END LOOP;
	END LOOP;
END
$$;

RESET client_min_messages;
\echo 'Projections equal to a rebuild after the change (rows differing, must be 0):'
SELECT mode, contender, differing FROM bench_trigger_checks ORDER BY 1, 2;
\echo 'Trigger-maintained cascade, median ms over' :rounds 'rounds (row: 1 server, 10 configurations, 50 allocations; statement: 100 servers, 100 configurations, 500 allocations):'
SELECT mode,
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE contender = 'native')::numeric, 3) AS native_ms,
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE contender = 'jsonb_ivm')::numeric, 3) AS jsonb_ivm_ms,
	round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE contender = 'native')
		/ percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE contender = 'jsonb_ivm'))::numeric, 2) AS speedup
FROM bench_trigger_times GROUP BY mode ORDER BY mode;
