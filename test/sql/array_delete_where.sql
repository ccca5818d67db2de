-- jsonb_array_delete_where(target, array_path, match_key, match_value)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: basic
SELECT jsonb_array_delete_where('{"dns_servers": [{"id": 1}, {"id": 2}, {"id": 3}]}', '{dns_servers}', 'id', '2');
-- every match goes, by jsonb equality; other elements stay
SELECT jsonb_array_delete_where('{"a": [{"id": 1}, {"id": 2}, {"id": 1.0, "x": 1}, 1, [{"id": 1}], {"idx": 1}]}',
	'{a}', 'id', '1');
SELECT jsonb_array_delete_where('{"a": [{"id": "u-1"}, {"id": "u-2"}]}', '{a}', 'id', '"u-1"');
SELECT jsonb_array_delete_where('{"a": [{"k": null}, {"k": false}, {}]}', '{a}', 'k', 'null');
SELECT jsonb_array_delete_where('{"a": [{"k": {"x": [1]}}, {"k": {"x": [1.0]}}]}', '{a}', 'k', '{"x": [1.00]}');
-- all of them
SELECT jsonb_array_delete_where('{"a": [{"id": 1}, {"id": 1}]}', '{a}', 'id', '1');
-- no match, nothing at the path: unchanged
SELECT jsonb_array_delete_where('{"a": [{"id": 1}]}', '{a}', 'id', '2');
SELECT jsonb_array_delete_where('{"a": [{"id": 1}]}', '{b}', 'id', '1');
SELECT jsonb_array_delete_where('{"a": [{"id": 1}]}', '{a,5}', 'id', '1');
SELECT jsonb_array_delete_where('{"a": 1}', '{a,b}', 'id', '1');
SELECT jsonb_array_delete_where('[]', '{}', 'id', '1');
-- root arrays, nested paths, negative indexes
SELECT jsonb_array_delete_where('[{"id": 1}, {"id": 2}]', '{}', 'id', '1');
SELECT jsonb_array_delete_where('{"x": [{"y": [{"id": 1}, {"id": 2}]}]}', '{x,-1,y}', 'id', '2');

-- section: errors and NULLs
SELECT jsonb_array_delete_where('{"a": {"id": 1}}', '{a}', 'id', '1');
SELECT jsonb_array_delete_where('5', '{}', 'id', '1');
SELECT jsonb_array_delete_where('{"a": [[]]}', '{a,x}', 'id', '1');
SELECT jsonb_array_delete_where('{"a": []}', '{a,NULL}', 'id', '1');
SELECT jsonb_array_delete_where('{"a": []}', '{{a}}', 'id', '1');
SELECT jsonb_array_delete_where(NULL, '{a}', 'id', '1');
SELECT jsonb_array_delete_where('{"a": [{"id": 1}]}', '{a}', 'id', NULL);
SELECT jsonb_array_delete_where('{"a": [{"id": 1}]}', NULL, 'id', '1');
SELECT jsonb_array_delete_where('{"a": [{"id": 1}]}', '{a}', NULL, '1');

-- section: arrays across the 32-entry offset stride
-- deleting every element whose id is a multiple of k from arrays of 31 to
-- 65 servers, byte for byte as native SQL rebuilds the array
SELECT n, k, ivm_test.same(r, jsonb_build_object('s', (
		SELECT coalesce(jsonb_agg(e ORDER BY i), '[]') FROM jsonb_array_elements(d -> 's') WITH ORDINALITY x(e, i)
		WHERE (e ->> 'id')::int % k <> 0), 'after', 1.5)) AS same_as_native,
	ivm_test.canonical(r) AS canonical, jsonb_array_length(r -> 's') AS len
FROM (VALUES (31), (32), (33), (64), (65)) v(n), (VALUES (1), (2), (7), (32), (33)) w(k),
	LATERAL (SELECT jsonb_build_object('s', ivm_test.servers(n), 'after', 1.5) AS d) s,
	LATERAL (
		WITH RECURSIVE del(m, doc) AS (
			SELECT 0, d
			UNION ALL
			SELECT m + k, jsonb_array_delete_where(doc, '{s}', 'id', to_jsonb(m + k))
			FROM del WHERE m + k <= n)
		SELECT doc AS r FROM del ORDER BY m DESC LIMIT 1) rr
ORDER BY n, k;
