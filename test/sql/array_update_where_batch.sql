-- jsonb_array_update_where_batch(target, array_path, match_key, patches)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: basic
SELECT jsonb_array_update_where_batch(
	'{"dns_servers": [{"id": 1, "ip": "a"}, {"id": 2, "ip": "b"}, {"id": 3, "ip": "c"}]}',
	'{dns_servers}', 'id', '[{"id": 3, "ip": "z"}, {"id": 1, "ip": "x", "status": "up"}]');
-- every matching element, by jsonb equality; unmatched patches are ignored
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1}, {"id": 1.0}, {"id": "1"}, 1, {"x": 1}]}',
	'{a}', 'id', '[{"id": 1, "hit": true}, {"id": 42, "hit": false}]');
-- patches with the same key apply in order, the later values winning
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1, "v": 0}]}',
	'{a}', 'id', '[{"id": 1, "v": 1, "w": 1}, {"id": 1.0, "v": 2}]');
-- keys of every type
SELECT jsonb_array_update_where_batch(
	'{"a": [{"k": "u-1"}, {"k": true}, {"k": null}, {"k": [1, 2]}, {"k": {"x": 1}}, {"k": 2.50}]}', '{a}', 'k',
	'[{"k": "u-1", "n": 1}, {"k": true, "n": 2}, {"k": null, "n": 3}, {"k": [1, 2.0], "n": 4}, {"k": {"x": 1.0}, "n": 5}, {"k": 2.5, "n": 6}]');
-- nothing matches, nothing changes, empty patches: unchanged
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1}]}', '{a}', 'id', '[{"id": 2, "v": 1}]');
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1, "v": 1}]}', '{a}', 'id', '[{"id": 1, "v": 1}]');
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1}]}', '{a}', 'id', '[]');
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1}]}', '{b}', 'id', '[{"id": 1, "v": 1}]');
SELECT jsonb_array_update_where_batch('[{"id": 1}]', '{}', 'id', '[{"id": 1, "v": 1}]');

-- section: errors and NULLs
SELECT jsonb_array_update_where_batch('{"a": []}', '{a}', 'id', '{"id": 1}');
SELECT jsonb_array_update_where_batch('{"a": []}', '{a}', 'id', '[{"id": 1}, 2]');
SELECT jsonb_array_update_where_batch('{"a": []}', '{a}', 'id', '[{"id": 1}, {"v": 2}]');
SELECT jsonb_array_update_where_batch('{"a": {}}', '{a}', 'id', '[{"id": 1}]');
SELECT jsonb_array_update_where_batch('{"a": []}', '{a,NULL}', 'id', '[{"id": 1}]');
SELECT jsonb_array_update_where_batch(NULL, '{a}', 'id', '[{"id": 1}]');
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1}]}', '{a}', 'id', NULL);
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1}]}', NULL, 'id', '[]');
SELECT jsonb_array_update_where_batch('{"a": [{"id": 1}]}', '{a}', NULL, '[]');

-- section: one pass equals one update per patch
-- 100 servers of 500 patched at once, against 100 native updates in a row
-- and against jsonb_array_update_where applied patch by patch
WITH d AS (SELECT jsonb_build_object('s', ivm_test.servers(500), 'z', 1.5) AS d),
	p AS (SELECT jsonb_agg(jsonb_build_object('id', i, 'ip', 'new-' || i, 'port', i * 1.0) ORDER BY i DESC) AS p
		FROM generate_series(5, 500, 5) i)
SELECT ivm_test.same(jsonb_array_update_where_batch(d, '{s}', 'id', p), (
		SELECT jsonb_build_object('s', jsonb_agg(CASE WHEN (e ->> 'id')::int % 5 = 0
			THEN e || jsonb_build_object('ip', 'new-' || (e ->> 'id'), 'port', (e ->> 'id')::int * 1.0) ELSE e END ORDER BY i), 'z', 1.5)
		FROM jsonb_array_elements(d -> 's') WITH ORDINALITY x(e, i))) AS same_as_native,
	ivm_test.canonical(jsonb_array_update_where_batch(d, '{s}', 'id', p)) AS canonical
FROM d, p;

-- section: arrays across the 32-entry offset stride
SELECT n, ivm_test.same(r, (
		SELECT jsonb_agg(CASE WHEN (e ->> 'id')::int IN (1, 31, 32, 33, n) THEN e || '{"ip": "xy"}' ELSE e END ORDER BY i)
		FROM jsonb_array_elements(d) WITH ORDINALITY x(e, i))) AS same_as_native,
	ivm_test.canonical(r) AS canonical
FROM (VALUES (31), (32), (33), (64), (65)) v(n),
	LATERAL (SELECT ivm_test.servers(n) AS d) s,
	LATERAL jsonb_array_update_where_batch(d, '{}', 'id',
		'[{"id": 1, "ip": "xy"}, {"id": 31, "ip": "xy"}, {"id": 32, "ip": "xy"}, {"id": 33, "ip": "xy"}]'::jsonb
		|| jsonb_build_array(jsonb_build_object('id', n, 'ip', 'xy'))) AS r
ORDER BY n;
