-- test/lib/memory.sql
--
-- Backend memory must not grow with the number of calls.  Each of the nine
-- functions is called in one SQL statement and in one plpgsql loop, in a
-- fresh backend each time (test/t/020_memory.pl runs the steps listed
-- above ivm_mem.start in a session of its own, then ivm_mem.report()):
-- 10,000 calls to warm up, 10,000 calls measured, then the calls measured
-- (e.g. a million), by the same code.  Before each
-- measured run the kernel's peak resident set size of the backend is reset
-- (5 > /proc/self/clear_refs, written by COPY as the server user).
--   - the big run's peak (VmHWM) must not exceed the small run's by more
--     than 4 MB (a leak of the smallest palloc chunk, 8 bytes, is 8 MB a
--     million calls; the runs themselves vary by less than 1 MB);
--   - the memory contexts of the backend must not hold more afterwards
--     (64 kB of slack);
--   - the peak virtual size (VmPeak, which cannot be reset: hence a fresh
--     backend) must not grow by more than 100 MB over the backend's start:
--     calls on 5 kB documents have no use for more.
-- Also reported: anonymous resident memory (RssAnon).  Needs
-- test/lib/helpers.sql; superuser.

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS ivm_mem CASCADE;
CREATE SCHEMA ivm_mem;

-- A field of /proc/self/status, in kB.
CREATE FUNCTION ivm_mem.status(field text) RETURNS bigint
LANGUAGE sql AS $$
	SELECT (regexp_match(pg_read_file('/proc/self/status'), field || ':\s+(\d+) kB'))[1]::bigint
$$;

-- Bytes held by the backend's memory contexts.
CREATE FUNCTION ivm_mem.contexts() RETURNS bigint
LANGUAGE sql AS $$
	SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts
$$;

-- The arguments: a projection with 50 servers, and what each function
-- gets with it; every call changes the document (upsert and insert add an
-- element, the batch has two patches for one server).
CREATE TABLE ivm_mem.args AS
SELECT d, jsonb_set(d, '{s,24,ip}', '"changed"') AS d2,
	'25'::jsonb AS k,
	'{"ip": "9.9.9.9", "port": 53.0}'::jsonb AS u,
	'{"id": 1000, "ip": "1.2.3.4"}'::jsonb AS e,
	'{"id": 25.5, "ip": "1.2.3.5"}'::jsonb AS e2,
	'[{"id": 3, "ip": "a"}, {"id": 17, "ip": "b"}, {"id": 3, "port": 1}]'::jsonb AS p,
	'{"meta": {"b": {"d": 3}, "x": [1]}, "new": {"n": 1}}'::jsonb AS s,
	'{"meta": {"a": null, "b": {"c": null, "e": 1}}, "name": null, "z": {"y": null}}'::jsonb AS mp
FROM (SELECT jsonb_build_object('s', ivm_test.servers(50), 'name', 'configuration 7',
		'meta', jsonb_build_object('a', 1, 'b', jsonb_build_object('c', 2.50))) AS d) x;

-- The call of each function, on a row "a" of ivm_mem.args.
CREATE TABLE ivm_mem.call (ord int, fn text, expr text);
INSERT INTO ivm_mem.call VALUES
	(1, 'array_update_where', 'jsonb_array_update_where(a.d, ''{s}'', ''id'', a.k, a.u)'),
	(2, 'array_upsert_where', 'jsonb_array_upsert_where(a.d, ''{s}'', ''id'', ''1000'', a.e)'),
	(3, 'merge_at_path', 'jsonb_merge_at_path(a.d, a.u, ''{meta,b}'')'),
	(4, 'has_path_changed', 'to_jsonb(jsonb_has_path_changed(a.d, a.d2, ''{s}''))'),
	(5, 'array_delete_where', 'jsonb_array_delete_where(a.d, ''{s}'', ''id'', a.k)'),
	(6, 'array_insert_where', 'jsonb_array_insert_where(a.d, ''{s}'', a.e2, ''id'')'),
	(7, 'array_update_where_batch', 'jsonb_array_update_where_batch(a.d, ''{s}'', ''id'', a.p)'),
	(8, 'deep_merge', 'jsonb_deep_merge(a.d, a.s)'),
	(9, 'merge_patch', 'jsonb_merge_patch(a.d, a.mp)');
-- one row: no Materialize node over the calls' rows
ANALYZE ivm_mem.args;

-- n calls of fn, one way: 'statement' (one SELECT over n rows, streamed
-- by a set-returning function in the target list) or 'plpgsql loop' (n
-- assignments in a DO block).  The same text runs whatever n is (n goes in
-- as a parameter, or through the setting ivm_mem.n), so that the small and
-- the big run leave the same plans and caches behind.
CREATE FUNCTION ivm_mem.calls(fn text, way text, n int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	e text := (SELECT c.expr FROM ivm_mem.call c WHERE c.fn = calls.fn);
BEGIN
	IF way = 'statement' THEN
		EXECUTE format('SELECT count(%s) FROM ivm_mem.args a,
			LATERAL (SELECT generate_series(1, $1)) AS g(i)', e) USING n;
	ELSE
		PERFORM set_config('ivm_mem.n', n::text, false);
		EXECUTE format('DO $do$
			DECLARE
				a ivm_mem.args;
				r jsonb;
			BEGIN
				SELECT * INTO a FROM ivm_mem.args;
				FOR i IN 1 .. current_setting(''ivm_mem.n'')::int LOOP
					r := %s;
				END LOOP;
			END
			$do$', e);
	END IF;
END
$$;

CREATE TABLE ivm_mem.result (
	ord        int,
	fn         text,
	way        text,
	calls      int,
	vmpeak0    bigint,      -- VmPeak, kB, when the measurement starts
	hwm_small  bigint,      -- peak resident set, kB, of the 10,000-call run
	hwm_big    bigint,      -- the same, of the big run
	anon_small bigint,      -- RssAnon after the runs, kB
	anon_big   bigint,
	ctx_small  bigint,      -- bytes in memory contexts after the runs
	ctx_big    bigint,
	vmpeak     bigint,      -- VmPeak after the big run, kB
	seconds    numeric,     -- of the big run
	error      text
);

-- The steps of a measurement, each a statement of its own in one fresh
-- session (test/t/020_memory.pl):
--   SELECT ivm_mem.start(fn, way, calls);
--   SELECT ivm_mem.run(fn, way, 10000);          -- warm up
--   SELECT ivm_mem.reset_peak();
--   SELECT ivm_mem.run(fn, way, 10000);
--   SELECT ivm_mem.note(fn, way, 'small');
--   SELECT ivm_mem.reset_peak();
--   SELECT ivm_mem.run(fn, way, calls);
--   SELECT ivm_mem.note(fn, way, 'big');
CREATE FUNCTION ivm_mem.start(fn text, way text, calls int) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM ivm_mem.result r WHERE r.fn = $1 AND r.way = $2;
	INSERT INTO ivm_mem.result (ord, fn, way, calls, vmpeak0)
	SELECT c.ord, $1, $2, $3, ivm_mem.status('VmPeak') FROM ivm_mem.call c WHERE c.fn = $1;
$$;

-- Reset the kernel's peak resident set size of this backend.
CREATE FUNCTION ivm_mem.reset_peak() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	COPY (SELECT 5) TO '/proc/self/clear_refs';
END
$$;

-- n calls (see ivm_mem.calls), timed; an error is noted, not raised.
CREATE FUNCTION ivm_mem.run(fn text, way text, n int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	PERFORM ivm_mem.calls(fn, way, n);
	UPDATE ivm_mem.result r SET seconds = round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1)
	WHERE r.fn = run.fn AND r.way = run.way;
EXCEPTION WHEN OTHERS THEN
	UPDATE ivm_mem.result r SET error = coalesce(r.error, SQLSTATE || ' ' || SQLERRM)
	WHERE r.fn = run.fn AND r.way = run.way;
END
$$;

-- Note the memory after the small or the big run.
CREATE FUNCTION ivm_mem.note(fn text, way text, run text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	hwm  bigint := ivm_mem.status('VmHWM');
	anon bigint := ivm_mem.status('RssAnon');
	ctx  bigint := ivm_mem.contexts();
BEGIN
	IF run = 'small' THEN
		UPDATE ivm_mem.result r SET hwm_small = hwm, anon_small = anon, ctx_small = ctx
		WHERE r.fn = note.fn AND r.way = note.way;
	ELSE
		UPDATE ivm_mem.result r SET hwm_big = hwm, anon_big = anon, ctx_big = ctx,
			vmpeak = ivm_mem.status('VmPeak')
		WHERE r.fn = note.fn AND r.way = note.way;
	END IF;
END
$$;

-- The verdict on each measurement.
CREATE FUNCTION ivm_mem.report()
RETURNS TABLE (fn text, way text, calls int, seconds numeric,
	"VmHWM 10k" bigint, "VmHWM big" bigint, "RssAnon 10k" bigint, "RssAnon big" bigint,
	"contexts 10k" bigint, "contexts big" bigint, "VmPeak start" bigint, "VmPeak end" bigint,
	verdict text)
LANGUAGE sql AS $$
	SELECT fn, way, calls, seconds, hwm_small, hwm_big, anon_small, anon_big,
		ctx_small, ctx_big, vmpeak0, vmpeak, CASE
		WHEN error IS NOT NULL THEN 'FAIL: ' || error
		WHEN hwm_big IS NULL THEN 'FAIL: not measured'
		WHEN hwm_big - hwm_small > 4096
			THEN 'FAIL: peak resident set grew by ' || (hwm_big - hwm_small) || ' kB'
		WHEN ctx_big - ctx_small > 65536
			THEN 'FAIL: memory contexts grew by ' || (ctx_big - ctx_small) || ' bytes'
		WHEN vmpeak - vmpeak0 > 102400
			THEN 'FAIL: peak virtual size grew by ' || (vmpeak - vmpeak0) || ' kB'
		ELSE 'ok' END
	FROM ivm_mem.result
	ORDER BY ord, way DESC
$$;
