-- jsonb_has_path_changed(old, new, path)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: basic
SELECT jsonb_has_path_changed('{"a": {"b": 1}}', '{"a": {"b": 2}}', '{a,b}');
SELECT jsonb_has_path_changed('{"a": {"b": 1}, "c": 1}', '{"a": {"b": 1}, "c": 2}', '{a}');
SELECT jsonb_has_path_changed('{"a": 1}', '{"a": 2}', '{}');
SELECT jsonb_has_path_changed('{"a": 1}', '{"a": 1}', '{}');

-- section: jsonb equality
SELECT jsonb_has_path_changed('{"a": 1}', '{"a": 1.00}', '{a}');
SELECT jsonb_has_path_changed('{"a": [1, {"b": 2.0}]}', '{"a": [1.0, {"b": 2}]}', '{a}');
SELECT jsonb_has_path_changed('{"a": [1, 2]}', '{"a": [2, 1]}', '{a}');
SELECT jsonb_has_path_changed('{"a": {"x": 1, "y": 2}}', '{"a": {"y": 2, "x": 1}}', '{a}');
SELECT jsonb_has_path_changed('{"a": {"x": 1}}', '{"a": {"x": 1, "y": null}}', '{a}');
SELECT jsonb_has_path_changed('{"a": "x"}', '{"a": "X"}', '{a}');
SELECT jsonb_has_path_changed('{"a": true}', '{"a": false}', '{a}');
SELECT jsonb_has_path_changed('{"a": null}', '{"a": false}', '{a}');
SELECT jsonb_has_path_changed('{"a": "1"}', '{"a": 1}', '{a}');
SELECT jsonb_has_path_changed('{"a": []}', '{"a": {}}', '{a}');
SELECT jsonb_has_path_changed('[5]', '5', '{}');
SELECT jsonb_has_path_changed('5', '5.0', '{}');

-- section: absent values
SELECT jsonb_has_path_changed('{"a": 1}', '{"b": 1}', '{c}');
SELECT jsonb_has_path_changed('{"a": 1}', '{"b": 1}', '{a}');
SELECT jsonb_has_path_changed('{"a": null}', '{}', '{a}');
-- elements that cannot apply mean absent, never an error, as with #>
SELECT jsonb_has_path_changed('{"a": [1]}', '{"a": [2]}', '{a,x}');
SELECT jsonb_has_path_changed('{"a": [1]}', '{"a": [2]}', '{a,NULL}');
SELECT jsonb_has_path_changed('{"a": [1]}', '{"a": [2]}', '{a,5}');
SELECT jsonb_has_path_changed('{"a": 1}', '{"a": 2}', '{a,b}');
SELECT jsonb_has_path_changed('5', '6', '{0}');
-- negative indexes, and paths of more than one dimension read in order
SELECT jsonb_has_path_changed('{"a": [1, 2]}', '{"a": [1, 3]}', '{a,-1}');
SELECT jsonb_has_path_changed('{"a": [1, 2]}', '{"a": [1, 3]}', '{a,-2}');
SELECT jsonb_has_path_changed('{"a": [1, 2]}', '{"a": [1, 3]}', '{{a},{1}}');
-- every row agrees with the #> comparison
SELECT count(*) AS cases,
	count(*) FILTER (WHERE jsonb_has_path_changed(o, n, p)
		IS DISTINCT FROM ((o #> p) IS DISTINCT FROM (n #> p))) AS disagreements
FROM (VALUES ('{"a": [1, {"b": 2}], "c": "x"}'::jsonb), ('{"a": [1.0, {"b": 2.0}]}'),
		('{"a": [1, {"b": 3}], "c": null}'), ('[{"a": 1}]'), ('"a"'), ('{}')) o(o),
	(VALUES ('{"a": [1, {"b": 2}], "c": "x"}'::jsonb), ('{"a": [1.0, {"b": 2.0}]}'),
		('{"a": [1, {"b": 3}], "c": null}'), ('[{"a": 1}]'), ('"a"'), ('{}')) n(n),
	(VALUES ('{}'::text[]), ('{a}'), ('{a,0}'), ('{a,1,b}'), ('{a,-1,b}'), ('{c}'),
		('{0}'), ('{0,a}'), ('{a,x}'), ('{a,NULL}')) p(p);

-- section: NULL arguments
SELECT jsonb_has_path_changed(NULL, NULL, '{a}');
SELECT jsonb_has_path_changed('{"a": 1}', NULL, '{a}');
SELECT jsonb_has_path_changed(NULL, '{"a": 1}', '{a}');
SELECT jsonb_has_path_changed('{"a": 1}', '{"a": 1}', NULL);
SELECT jsonb_has_path_changed(NULL, NULL, NULL);

-- section: large documents and arrays across the offset stride
SELECT i, jsonb_has_path_changed(d, jsonb_set(d, ARRAY[i::text, 'ip'], '"x"'), ARRAY[i::text]) AS element,
	jsonb_has_path_changed(d, jsonb_set(d, ARRAY[i::text, 'ip'], '"x"'), ARRAY[(i + 1)::text]) AS next
FROM (SELECT ivm_test.servers(70) AS d) s, (VALUES (0), (31), (32), (33), (63), (64), (68)) v(i)
ORDER BY i;
