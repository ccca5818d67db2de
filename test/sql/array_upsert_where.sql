-- jsonb_array_upsert_where(target, array_path, match_key, match_value, element)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: replace or append
SELECT jsonb_array_upsert_where('{"a": [{"id": 1, "x": 1}, {"id": 2}]}', '{a}', 'id', '1', '{"id": 1, "y": 2}');
SELECT jsonb_array_upsert_where('{"a": [{"id": 1, "x": 1}, {"id": 2}]}', '{a}', 'id', '3', '{"id": 3, "y": 2}');
-- the element replaces the match as it is, it is not merged
SELECT jsonb_array_upsert_where('{"a": [{"id": 1, "x": 1}]}', '{a}', 'id', '1', '{"y": 2}');
-- the same element again: unchanged
SELECT jsonb_array_upsert_where('{"a": [{"id": 1, "x": 1}]}', '{a}', 'id', '1', '{"x": 1, "id": 1}');
-- jsonb equality for matching; only the first match is replaced
SELECT jsonb_array_upsert_where('{"a": [{"id": 1.0}, {"id": 1}]}', '{a}', 'id', '1', '{"id": 1, "new": true}');
SELECT jsonb_array_upsert_where('{"a": [7, {"id": "u-1"}]}', '{a}', 'id', '"u-1"', '{"id": "u-1", "v": 2}');
-- the empty array and the root array
SELECT jsonb_array_upsert_where('{"a": []}', '{a}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('[]', '{}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('[{"id": 1}]', '{}', 'id', '1', '{"id": 1, "z": 0}');

-- section: a missing array is created
SELECT jsonb_array_upsert_where('{"b": 1}', '{a}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"b": 1}', '{a,b,c}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": [{}]}', '{a,0,list}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{}', '{a,0}', 'id', '1', '{"id": 1}');

-- section: errors
-- the value at the path is not an array
SELECT jsonb_array_upsert_where('{"a": {"id": 1}}', '{a}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": 1}', '{}', 'id', '1', '{"id": 1}');
-- element must be an object
SELECT jsonb_array_upsert_where('{"a": []}', '{a}', 'id', '1', '1');
SELECT jsonb_array_upsert_where('{"a": []}', '{a}', 'id', '1', '[{"id": 1}]');
-- a scalar on the way, an index out of range, not an integer
SELECT jsonb_array_upsert_where('{"a": 1}', '{a,b}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('5', '{a}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": [[]]}', '{a,1}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": [[]]}', '{a,-2}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": [[]]}', '{a,first}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": [[]]}', '{a,-1}', 'id', '1', '{"id": 1}');
-- NULL elements and more than one dimension
SELECT jsonb_array_upsert_where('{"a": []}', '{a,NULL}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": []}', '{{a}}', 'id', '1', '{"id": 1}');

-- section: NULL arguments never wipe the document
SELECT jsonb_array_upsert_where(NULL, '{a}', 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": []}', '{a}', 'id', NULL, '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": []}', '{a}', 'id', '1', NULL);
SELECT jsonb_array_upsert_where('{"a": []}', NULL, 'id', '1', '{"id": 1}');
SELECT jsonb_array_upsert_where('{"a": []}', '{a}', NULL, '1', '{"id": 1}');

-- section: arrays across the 32-entry offset stride
-- appending to arrays of 31 to 33 and 63 to 65 elements, and replacing at
-- index 0, 31, 32 and the last one, byte for byte as native SQL does it
SELECT n, 'append' AS op, ivm_test.same(r, d || jsonb_build_array(e)) AS same_as_native,
	ivm_test.canonical(r) AS canonical, jsonb_array_length(r) AS len
FROM (VALUES (0), (31), (32), (33), (63), (64), (65)) v(n),
	LATERAL (SELECT ivm_test.servers(n) AS d, jsonb_build_object('id', 0, 'ip', 'x', 'p', 1.50) AS e) s,
	LATERAL jsonb_array_upsert_where(d, '{}', 'id', '0', e) AS r
UNION ALL
SELECT n, 'replace ' || i, ivm_test.same(r, jsonb_set(d, ARRAY[i::text], e)),
	ivm_test.canonical(r), jsonb_array_length(r)
FROM (VALUES (31), (32), (33), (64), (65)) v(n),
	LATERAL (SELECT DISTINCT i FROM (VALUES (0), (31), (32), (n - 1)) w(i)) w,
	LATERAL (SELECT ivm_test.servers(n) AS d, jsonb_build_object('id', i + 1, 'p', repeat('z', i % 4)) AS e) s,
	LATERAL jsonb_array_upsert_where(d, '{}', 'id', to_jsonb(i + 1), e) AS r
WHERE i < n
ORDER BY 1, 2;

-- section: keys of every length mod 4, multibyte keys
SELECT r, ivm_test.canonical(r)
FROM jsonb_array_upsert_where('{"ключ": [{"名前": "値", "k": 1.0}], "kkk": 2.5}',
	'{ключ}', '名前', '"値"', '{"名前": "値", "kk": "新しい", "kkkk": 3.25}') AS r;
