-- jsonb_array_insert_where(target, array_path, element, sort_key, descending)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: sorted insert
-- a server joins at its priority: after the equal ones (stable)
SELECT jsonb_array_insert_where('{"s": [{"p": 1}, {"p": 3}, {"p": 3, "x": 1}, {"p": 7}]}',
	'{s}', '{"p": 3, "new": true}', 'p');
SELECT jsonb_array_insert_where('{"s": [{"p": 1}, {"p": 3}]}', '{s}', '{"p": 0}', 'p');
SELECT jsonb_array_insert_where('{"s": [{"p": 1}, {"p": 3}]}', '{s}', '{"p": 9}', 'p');
SELECT jsonb_array_insert_where('{"s": []}', '{s}', '{"p": 9}', 'p');
-- descending
SELECT jsonb_array_insert_where('{"s": [{"p": 9}, {"p": 5}, {"p": 5, "x": 1}, {"p": 1}]}',
	'{s}', '{"p": 5, "new": true}', 'p', true);
-- jsonb ordering: numbers by value, strings by collation, null < string < number < boolean
SELECT jsonb_array_insert_where('{"s": [{"p": 1}, {"p": 2.50}, {"p": 10}]}', '{s}', '{"p": 2.5}', 'p');
SELECT jsonb_array_insert_where('{"s": [{"p": "a"}, {"p": "c"}]}', '{s}', '{"p": "b"}', 'p');
SELECT jsonb_array_insert_where('{"s": [{"p": null}, {"p": "z"}, {"p": 1}, {"p": true}]}', '{s}', '{"p": 0}', 'p');
SELECT jsonb_array_insert_where('{"s": [{"p": [1]}, {"p": [1, 2]}, {"p": {"a": 1}}]}', '{s}', '{"p": [1, 1]}', 'p');
-- elements without the key sort last ascending, first descending (as NULL does)
SELECT jsonb_array_insert_where('{"s": [{"p": 1}, {"q": 1}, 5]}', '{s}', '{"p": 2}', 'p');
SELECT jsonb_array_insert_where('{"s": [{"p": 1}, {"q": 1}]}', '{s}', '{"q": 2}', 'p');
SELECT jsonb_array_insert_where('{"s": [{"q": 1}, {"p": 3}, {"p": 1}]}', '{s}', '{"p": 2}', 'p', true);
SELECT jsonb_array_insert_where('{"s": [{"q": 1}, {"p": 3}]}', '{s}', '{"q": 2}', 'p', true);
-- no sort key: append
SELECT jsonb_array_insert_where('{"s": [{"p": 9}]}', '{s}', '{"p": 1}');
SELECT jsonb_array_insert_where('{"s": [{"p": 9}]}', '{s}', '{"p": 1}', NULL, true);
-- a missing array is created
SELECT jsonb_array_insert_where('{"x": 1}', '{s}', '{"p": 1}', 'p');
SELECT jsonb_array_insert_where('{}', '{a,b}', '{"p": 1}', 'p');
SELECT jsonb_array_insert_where('[]', '{}', '{"p": 1}', 'p');

-- section: scalars against containers
-- the values at sort_key in the order of jsonb's comparison operators: a
-- scalar sorts after [] and before every non-empty array and every object
CREATE TEMP TABLE sort_value (v jsonb);
INSERT INTO sort_value VALUES ('null'), ('""'), ('"a"'), ('0'), ('2.5'),
	('false'), ('true'), ('[]'), ('[null]'), ('[1]'), ('[1, 2]'), ('[[]]'),
	('{}'), ('{"a": 1}'), ('{"a": []}');
SELECT jsonb_agg(v ORDER BY v) AS native_order FROM sort_value;
-- each value inserted into all of them sorted by ORDER BY: after those
-- native <= counts (ascending), after those >= counts (descending)
SELECT x.v AS inserted,
	(SELECT i - 1 FROM jsonb_array_elements(jsonb_array_insert_where(asc_doc,
		'{s}', jsonb_build_object('p', x.v, 'new', true), 'p') -> 's')
		WITH ORDINALITY AS e(e, i) WHERE e ? 'new') AS asc_at,
	(SELECT count(*) FROM sort_value y WHERE y.v <= x.v) AS native_asc_at,
	(SELECT i - 1 FROM jsonb_array_elements(jsonb_array_insert_where(desc_doc,
		'{s}', jsonb_build_object('p', x.v, 'new', true), 'p', true) -> 's')
		WITH ORDINALITY AS e(e, i) WHERE e ? 'new') AS desc_at,
	(SELECT count(*) FROM sort_value y WHERE y.v >= x.v) AS native_desc_at
FROM sort_value x,
	(SELECT jsonb_build_object('s', jsonb_agg(jsonb_build_object('p', v) ORDER BY v)) AS asc_doc,
		jsonb_build_object('s', jsonb_agg(jsonb_build_object('p', v) ORDER BY v DESC)) AS desc_doc
	 FROM sort_value) d
ORDER BY x.v;
-- every pair: b goes before a exactly when b < a (b > a descending)
SELECT count(*) AS pairs,
	count(*) FILTER (WHERE (jsonb_array_insert_where(doc, '{s}', elem, 'p') -> 's' -> 0 = elem)
		= (b.v < a.v)) AS asc_as_native,
	count(*) FILTER (WHERE (jsonb_array_insert_where(doc, '{s}', elem, 'p', true) -> 's' -> 0 = elem)
		= (b.v > a.v)) AS desc_as_native
FROM sort_value a, sort_value b,
	LATERAL (SELECT jsonb_build_object('s', jsonb_build_array(jsonb_build_object('p', a.v))) AS doc,
		jsonb_build_object('p', b.v, 'new', true) AS elem) x;
DROP TABLE sort_value;

-- section: errors and NULLs
SELECT jsonb_array_insert_where('{"s": {}}', '{s}', '{"p": 1}', 'p');
SELECT jsonb_array_insert_where('{"s": 1}', '{s,t}', '{"p": 1}', 'p');
SELECT jsonb_array_insert_where('{"s": [[]]}', '{s,2}', '{"p": 1}', 'p');
SELECT jsonb_array_insert_where('{"s": []}', '{s}', '[1]', 'p');
SELECT jsonb_array_insert_where('{"s": []}', '{s}', '1', 'p');
SELECT jsonb_array_insert_where(NULL, '{s}', '{"p": 1}', 'p');
SELECT jsonb_array_insert_where('{"s": []}', '{s}', NULL, 'p');
SELECT jsonb_array_insert_where('{"s": []}', NULL, '{"p": 1}', 'p');
SELECT jsonb_array_insert_where('{"s": []}', '{s}', '{"p": 1}', 'p', NULL);

-- section: arrays across the 32-entry offset stride
-- inserting at every position of arrays of 31 to 65 servers sorted by id,
-- byte for byte as native jsonb_insert does it
SELECT n, count(*) AS positions,
	count(*) FILTER (WHERE ivm_test.same(r, jsonb_insert(d, ARRAY['s', (pos - 1)::text], e))) AS same_as_native,
	count(*) FILTER (WHERE ivm_test.canonical(r)) AS canonical
FROM (VALUES (31), (32), (33), (64), (65)) v(n),
	LATERAL (SELECT jsonb_build_object('s', ivm_test.servers(n) || '[{"id": 1000}]', 'z', 2.5) AS d) s,
	LATERAL generate_series(1, n + 1) pos,
	LATERAL (SELECT jsonb_build_object('id', pos - 0.5, 'ip', repeat('x', pos % 4)) AS e) x,
	LATERAL jsonb_array_insert_where(d, '{s}', e, 'id') AS r
GROUP BY n ORDER BY n;
