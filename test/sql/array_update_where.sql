-- jsonb_array_update_where(target, array_path, match_key, match_value, updates)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: the seed's cases
-- basic
SELECT jsonb_array_update_where(
	'{"dns_servers": [{"id": 1, "ip": "1.1.1.1"}, {"id": 2, "ip": "2.2.2.2"}]}',
	'{dns_servers}', 'id', '1', '{"ip": "8.8.8.8"}');
-- no match: unchanged
SELECT jsonb_array_update_where(
	'{"dns_servers": [{"id": 1, "ip": "1.1.1.1"}]}',
	'{dns_servers}', 'id', '999', '{"ip": "8.8.8.8"}');
-- nested path
SELECT jsonb_array_update_where(
	'{"network": {"config": {"dns_servers": [{"id": 1, "ip": "1.1.1.1"}, {"id": 2, "ip": "2.2.2.2"}]}}}',
	'{network,config,dns_servers}', 'id', '2', '{"ip": "8.8.8.8"}');
-- 100-element array, element with id 99 (index 98)
SELECT r -> 'dns_servers' -> 98 AS updated,
	r -> 'dns_servers' -> 97 AS neighbour,
	jsonb_array_length(r -> 'dns_servers') AS n,
	ivm_test.canonical(r) AS canonical,
	ivm_test.same(r, ivm_test.native_update(d, '{dns_servers}', 'id', '99',
		'{"ip": "8.8.8.8", "status": "updated"}')) AS same_as_native
FROM (SELECT jsonb_build_object('dns_servers', ivm_test.servers(100)) AS d) s,
	LATERAL (SELECT jsonb_array_update_where(d, '{dns_servers}', 'id', '99',
		'{"ip": "8.8.8.8", "status": "updated"}') AS r) u;
-- fields not in updates are preserved
SELECT jsonb_array_update_where(
	'{"dns_servers": [{"id": 1, "ip": "1.1.1.1", "port": 53, "status": "active"}]}',
	'{dns_servers}', 'id', '1', '{"ip": "8.8.8.8"}') -> 'dns_servers' -> 0;
-- NULL target
SELECT jsonb_array_update_where(NULL, '{dns_servers}', 'id', '1', '{"ip": "8.8.8.8"}');
-- the value at the path is not an array
SELECT jsonb_array_update_where('{"dns_servers": {"id": 42}}',
	'{dns_servers}', 'id', '42', '{"ip": "8.8.8.8"}');
-- updates is not an object
SELECT jsonb_array_update_where('{"dns_servers": [{"id": 42}]}',
	'{dns_servers}', 'id', '42', '"not an object"');
SELECT jsonb_array_update_where('{"dns_servers": [{"id": 42}]}',
	'{dns_servers}', 'id', '42', '[1]');

-- section: NULL arguments never wipe the document
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', 'id', NULL, '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', 'id', '1', NULL);
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', NULL, 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', NULL, '1', '{"x": 1}');
-- a NULL path or key is an error even for a NULL target
SELECT jsonb_array_update_where(NULL, NULL, 'id', '1', '{"x": 1}');
-- a NULL value argument wins over an argument error
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', 'id', NULL, '5');

-- section: matching uses jsonb equality
SELECT jsonb_array_update_where('{"a": [{"id": 42.0}, {"id": 42}]}', '{a}', 'id', '42', '{"hit": true}');
-- numbers that share digits but not weight or sign are different; the
-- display scale does not count
SELECT jsonb_array_update_where('{"a": [{"id": 0.0001}, {"id": 10000}, {"id": -1}, {"id": 100000000}, {"id": 1.0000}]}',
	'{a}', 'id', '1', '{"hit": true}');
SELECT jsonb_array_update_where('{"a": [{"id": 10001}, {"id": 1.0001}, {"id": -10000.0}, {"id": 1E+4}]}',
	'{a}', 'id', '10000.00', '{"hit": true}');
SELECT count(*) AS native_matches FROM jsonb_array_elements(
	'[{"id": 0.0001}, {"id": 10000}, {"id": -1}, {"id": 100000000}, {"id": 1.0000}, {"id": 10001}, {"id": 1.0001}, {"id": -10000.0}, {"id": 1E+4}]') AS e
WHERE e -> 'id' IN ('1', '10000.00');
SELECT jsonb_array_update_where('{"a": [{"id": "42"}, {"id": 42}]}', '{a}', 'id', '"42"', '{"hit": true}');
SELECT jsonb_array_update_where(
	'{"a": [{"id": "6f1c-01"}, {"id": "6f1c-02"}]}', '{a}', 'id', '"6f1c-02"', '{"hit": true}');
SELECT jsonb_array_update_where('{"a": [{"k": false}, {"k": true}]}', '{a}', 'k', 'true', '{"hit": 1}');
SELECT jsonb_array_update_where('{"a": [{"k": 0}, {"k": null}]}', '{a}', 'k', 'null', '{"hit": 1}');
SELECT jsonb_array_update_where('{"a": [{"k": [1, 2.0]}, {"k": {"x": [1]}}]}', '{a}', 'k', '{"x": [1.00]}', '{"hit": 1}');
SELECT jsonb_array_update_where('{"a": [{"k": [1, 2.0]}, {"k": {"x": [1]}}]}', '{a}', 'k', '[1.0, 2]', '{"hit": 1}');
-- only the first match is updated
SELECT jsonb_array_update_where('{"a": [{"id": 1, "n": 1}, {"id": 1, "n": 2}]}', '{a}', 'id', '1', '{"n": 9}');
-- elements that are not objects are skipped
SELECT jsonb_array_update_where('{"a": [1, "id", [{"id": 1}], null, {"id": 1}]}', '{a}', 'id', '1', '{"n": 9}');
-- a key whose value is null, and a missing key, are different
SELECT jsonb_array_update_where('{"a": [{"x": 1}, {"id": null}]}', '{a}', 'id', 'null', '{"n": 9}');
-- a raw scalar match value and an array match value are different
SELECT jsonb_array_update_where('{"a": [{"id": [5]}, {"id": 5}]}', '{a}', 'id', '5', '{"n": 9}');
-- the empty key
SELECT jsonb_array_update_where('{"a": [{"": 1}, {"": 2}]}', '{a}', '', '2', '{"": 3}');

-- section: merge semantics are those of ||
SELECT jsonb_array_update_where('{"a": [{"id": 1, "b": 1, "dd": 2}]}', '{a}', 'id', '1',
	'{"a": 0, "dd": [], "ccc": {"x": 1}, "id": 1}');
-- updates may change the match key itself
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', 'id', '1', '{"id": 2}');
-- empty updates: nothing changes
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', 'id', '1', '{}');
-- numbers keep their text
SELECT jsonb_array_update_where('{"a": [{"id": 1, "p": 1.50}]}', '{a}', 'id', '1.0',
	'{"q": 2.500, "r": 1e3, "s": -0.0}');

-- section: paths
-- empty path: the root array
SELECT jsonb_array_update_where('[{"id": 1}, {"id": 2}]', '{}', 'id', '2', '{"x": 1}');
-- array indexes, negative ones counted from the end
SELECT jsonb_array_update_where('{"a": [[{"id": 1}], [{"id": 1}]]}', '{a,1}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [[{"id": 1}], [{"id": 1}]]}', '{a,-2}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [[{"id": 1}], [{"id": 1}]]}', '{a," +1"}', 'id', '1', '{"x": 1}');
-- nothing at the path: unchanged
SELECT jsonb_array_update_where('{"a": [[{"id": 1}]]}', '{a,1}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [[{"id": 1}]]}', '{a,-2}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [[{"id": 1}]]}', '{b,c}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": "text"}', '{a,b}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": 1}', '{a,0}', 'id', '1', '{"x": 1}');
-- a path element that is not an integer where the path meets an array
SELECT jsonb_array_update_where('{"a": [[{"id": 1}]]}', '{a,x}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [[{"id": 1}]]}', '{a,1.0}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [[{"id": 1}]]}', '{a,99999999999}', 'id', '1', '{"x": 1}');
-- ... but past a missing key nothing is validated, as in jsonb_set
SELECT jsonb_array_update_where('{"a": [[{"id": 1}]]}', '{b,x}', 'id', '1', '{"x": 1}');
-- NULL elements and more than one dimension
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a,NULL}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{{a}}', 'id', '1', '{"x": 1}');
-- the value at the path is not an array
SELECT jsonb_array_update_where('{"a": {"id": 1}}', '{a}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": null}', '{a}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{}', 'id', '1', '{"x": 1}');

-- section: scalar and empty roots
SELECT jsonb_array_update_where('5', '{}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('"s"', '{a}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('5', '{0}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('[]', '{}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('{}', '{a}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('[{}]', '{}', 'id', '1', '{"x": 1}');
SELECT jsonb_array_update_where('[{"id": 1}]', '{}', 'id', '1', '{"": ""}');

-- section: keys of every length mod 4, multibyte keys and values
SELECT jsonb_array_update_where(
	'{"a": [{"id": 1, "k": "v", "kk": "vv", "kkk": "vvv", "kkkk": "vvvv"}]}',
	'{a}', 'id', '1', '{"k": 1.5, "kkk": 22, "kkkkk": "v5"}');
SELECT r, ivm_test.canonical(r)
FROM jsonb_array_update_where(
	'{"día": [{"ключ": "значение", "id": "ü"}, {"id": "ö", "名前": "値"}]}',
	'{día}', 'id', '"ö"', '{"名前": "新しい", "ß": 1.0}') AS r;

-- section: numerics after strings of length 1, 2 and 3 (padding changes)
SELECT r, ivm_test.canonical(r)
FROM (VALUES ('a'), ('ab'), ('abc'), ('abcd')) v(s),
	LATERAL jsonb_array_update_where(
		jsonb_build_object('a', jsonb_build_array(
			jsonb_build_object('id', 1, 's', 'x'), 7.25, 'q', 1.0,
			jsonb_build_object('id', 2, 'n', 1.5)), 'z', 2.50),
		'{a}', 'id', '1', jsonb_build_object('s', s)) AS r;

-- section: arrays across the 32-entry offset stride
-- arrays of 31, 32, 33, 64 and 65 elements updated at index 0, 31, 32 and
-- the last one; each result must equal the native jsonb_set byte for byte
SELECT n, i AS index,
	ivm_test.same(r, ivm_test.native_update(d, '{s}', 'id', to_jsonb(i + 1), u)) AS same_as_native,
	ivm_test.canonical(r) AS canonical,
	r -> 's' -> i ->> 'ip' AS ip
FROM (VALUES (31), (32), (33), (64), (65)) v(n),
	LATERAL (SELECT jsonb_build_object('s', ivm_test.servers(n), 'after', 1.5) AS d) s,
	LATERAL (SELECT DISTINCT i FROM (VALUES (0), (31), (32), (n - 1)) w(i)) w,
	LATERAL (SELECT jsonb_build_object('ip', repeat('9', i % 4 + 1)) AS u) x,
	LATERAL jsonb_array_update_where(d, '{s}', 'id', to_jsonb(i + 1), u) AS r
WHERE i < n
ORDER BY n, i;
-- objects with more than 32 keys, merged at the start, the middle and the end
SELECT k, ivm_test.same(r, jsonb_set(d, '{a,0}', (d -> 'a' -> 0) || u)) AS same_as_native,
	ivm_test.canonical(r) AS canonical,
	(SELECT count(*) FROM jsonb_object_keys(r -> 'a' -> 0)) AS keys
FROM (SELECT jsonb_build_object('a', jsonb_build_array(
		(SELECT jsonb_object_agg('key' || i, i * 1.5) FROM generate_series(1, 40) i)
		|| '{"id": 0}')) AS d) s,
	(VALUES ('a'), ('key20'), ('key40'), ('zzzzzzzzz')) v(k),
	LATERAL (SELECT jsonb_build_object(k, 'new') AS u) x,
	LATERAL jsonb_array_update_where(d, '{a}', 'id', '0', u) AS r
ORDER BY k;

-- section: the allocation cascade of the seed, one level down
SELECT jsonb_array_update_where(
	'{"id": 7, "network_configuration": {"id": 3, "dns_servers": [{"id": 41, "ip": "1.1.1.1"}, {"id": 42, "ip": "2.2.2.2"}]}, "storage": {"size_gb": 100}}',
	'{network_configuration,dns_servers}', 'id', '42', '{"ip": "9.9.9.9", "status": "active"}');
