-- jsonb_merge_at_path(target, source, path)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: the seed's cases
-- root merge
SELECT jsonb_merge_at_path('{"a": 1, "b": 2}', '{"b": 99, "c": 3}', '{}');
-- nested merge
SELECT jsonb_merge_at_path(
	'{"id": 1, "network_configuration": {"id": 17, "name": "old", "gateway_ip": "192.168.1.1"}}',
	'{"name": "updated", "dns_count": 50}', '{network_configuration}');
-- deep merge
SELECT jsonb_merge_at_path(
	'{"level1": {"level2": {"level3": {"existing": "value"}}}}',
	'{"new": "data"}', '{level1,level2,level3}');
-- allocation update
SELECT jsonb_merge_at_path(
	'{"id": 100, "name": "Allocation 1", "network_configuration": {"id": 17, "name": "old"}}',
	jsonb_build_object('name', 'Updated Network', 'dns_count', 50),
	'{network_configuration}');
-- NULL target
SELECT jsonb_merge_at_path(NULL, '{"a": 1}', '{}');

-- section: NULL arguments never wipe the document
SELECT jsonb_merge_at_path('{"a": 1}', NULL, '{}');
SELECT jsonb_merge_at_path('{"a": 1}', NULL, '{a,b}');
SELECT jsonb_merge_at_path('{"a": 1}', '{"b": 2}', NULL);
SELECT jsonb_merge_at_path(NULL, '{"b": 2}', NULL);

-- section: source must be an object
SELECT jsonb_merge_at_path('{"a": 1}', '[1]', '{}');
SELECT jsonb_merge_at_path('{"a": 1}', '"x"', '{}');
SELECT jsonb_merge_at_path('{"a": 1}', 'null', '{}');

-- section: missing keys are created as objects
SELECT jsonb_merge_at_path('{"a": 1}', '{"x": 1}', '{b}');
SELECT jsonb_merge_at_path('{"a": 1}', '{"x": 1}', '{b,c,d}');
SELECT jsonb_merge_at_path('{"a": {}}', '{"x": 1}', '{a,0,1}');
SELECT jsonb_merge_at_path('{}', '{}', '{a}');
SELECT jsonb_merge_at_path('{"a": [{"b": 1}]}', '{"x": 1}', '{a,-1,c}');
-- keys inserted at their sorted place, among more than 32 keys
SELECT k, ivm_test.same(r, jsonb_set(d, ARRAY[k], '{"n": 1}')) AS same_as_native,
	ivm_test.canonical(r) AS canonical
FROM (SELECT (SELECT jsonb_object_agg('key' || i, i * 1.5) FROM generate_series(1, 40) i) AS d) s,
	(VALUES (''), ('a'), ('key20x'), ('key7x'), ('zzzzzzzzz')) v(k),
	LATERAL jsonb_merge_at_path(d, '{"n": 1}', ARRAY[k]) AS r
ORDER BY k;

-- section: merge semantics are those of ||
SELECT jsonb_merge_at_path('{"a": {"b": 1, "dd": 2, "eee": [1]}}',
	'{"a": 0, "dd": {"x": 1}, "eee": null, "f": 1.50}', '{a}');
-- nested objects in source replace, they are not merged recursively
SELECT jsonb_merge_at_path('{"a": {"b": {"c": 1, "d": 2}}}', '{"b": {"c": 3}}', '{a}');
-- empty source: unchanged
SELECT jsonb_merge_at_path('{"a": {"b": 1}}', '{}', '{a}');
-- the same values: unchanged
SELECT jsonb_merge_at_path('{"a": {"b": 1}}', '{"b": 1}', '{a}');
-- numbers keep their text: 1.0 replaces 1
SELECT jsonb_merge_at_path('{"a": {"b": 1}}', '{"b": 1.0}', '{a}');

-- section: paths
SELECT jsonb_merge_at_path('{"a": [{"b": 1}, {"b": 2}]}', '{"x": 1}', '{a,1}');
SELECT jsonb_merge_at_path('{"a": [{"b": 1}, {"b": 2}]}', '{"x": 1}', '{a,-2}');
-- an index out of range is an error
SELECT jsonb_merge_at_path('{"a": [{"b": 1}]}', '{"x": 1}', '{a,1}');
SELECT jsonb_merge_at_path('{"a": [{"b": 1}]}', '{"x": 1}', '{a,-2}');
SELECT jsonb_merge_at_path('{"a": []}', '{"x": 1}', '{a,0}');
-- not an integer where the path meets an array
SELECT jsonb_merge_at_path('{"a": [{"b": 1}]}', '{"x": 1}', '{a,b}');
-- a path through a scalar is an error
SELECT jsonb_merge_at_path('{"a": 1}', '{"x": 1}', '{a,b}');
SELECT jsonb_merge_at_path('{"a": "s"}', '{"x": 1}', '{a,0}');
SELECT jsonb_merge_at_path('{"a": {"b": null}}', '{"x": 1}', '{a,b,c}');
-- the value at the path must be an object
SELECT jsonb_merge_at_path('{"a": [1]}', '{"x": 1}', '{a}');
SELECT jsonb_merge_at_path('{"a": 1}', '{"x": 1}', '{a}');
SELECT jsonb_merge_at_path('[1]', '{"x": 1}', '{}');
-- NULL elements and more than one dimension
SELECT jsonb_merge_at_path('{"a": 1}', '{"x": 1}', '{b,NULL}');
SELECT jsonb_merge_at_path('{"a": 1}', '{"x": 1}', '{{a},{b}}');

-- section: scalar and empty roots
SELECT jsonb_merge_at_path('5', '{"x": 1}', '{}');
SELECT jsonb_merge_at_path('5', '{"x": 1}', '{a}');
SELECT jsonb_merge_at_path('"s"', '{"x": 1}', '{0}');
SELECT jsonb_merge_at_path('{}', '{"x": 1}', '{}');
SELECT jsonb_merge_at_path('[]', '{"x": 1}', '{0}');
SELECT jsonb_merge_at_path('[{}]', '{"": ""}', '{0}');

-- section: keys of every length mod 4, multibyte keys, padding
SELECT r, ivm_test.canonical(r)
FROM jsonb_merge_at_path('{"k": "v", "kk": 1.5, "kkk": "vvv", "kkkk": 2.25}',
	'{"kkkkk": 3.125, "kk": "x", "kkkk": "yy"}', '{}') AS r;
SELECT r, ivm_test.canonical(r)
FROM jsonb_merge_at_path('{"ключ": {"名前": "値", "ü": 1.0}}',
	'{"名前": "新しい", "ß": 2.50}', '{ключ}') AS r;
SELECT r, ivm_test.canonical(r)
FROM (VALUES ('a'), ('ab'), ('abc'), ('abcd')) v(s),
	LATERAL jsonb_merge_at_path(
		jsonb_build_object('s', 'x', 'n', 1.5, 'o', jsonb_build_object('p', 7.25), 'zz', 2.50),
		jsonb_build_object('s', s), '{}') AS r;
-- the merged object sits before and after offset-stride boundaries
SELECT n, i AS index, ivm_test.same(r, jsonb_set(d, ARRAY[i::text], (d -> i) || '{"m": 1.0}')) AS same_as_native,
	ivm_test.canonical(r) AS canonical
FROM (VALUES (31), (32), (33), (64), (65)) v(n),
	LATERAL (SELECT ivm_test.servers(n) AS d) s,
	LATERAL (SELECT DISTINCT i FROM (VALUES (0), (31), (32), (n - 1)) w(i)) w,
	LATERAL jsonb_merge_at_path(d, '{"m": 1.0}', ARRAY[i::text]) AS r
WHERE i < n
ORDER BY n, i;
