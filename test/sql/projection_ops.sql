-- jsonb_ivm_array_replace: the element replacement the projection engine
-- generates, compared byte for byte with the same edit made natively.
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all

-- section: one element, several, none to do
SELECT jsonb_ivm_array_replace('{"a": [{"id": 1}, {"id": 2}, 3]}', '{a}', '[{"id": 2}]', '[{"id": 2, "x": 1.50}]');
SELECT jsonb_ivm_array_replace('{"a": [1, 2, 3, 4]}', '{a}', '[4, 1]', '["four", "one"]');
SELECT jsonb_ivm_array_replace('{"a": [1, 2]}', '{a}', '[]', '[]');
SELECT jsonb_ivm_array_replace('{"a": {"b": [null, true]}}', '{a,b}', '[null]', '[{}]');

-- section: NULL when the old element is not there exactly once
SELECT jsonb_ivm_array_replace('{"a": [1, 2, 1]}', '{a}', '[1]', '[5]') IS NULL AS repeated;
SELECT jsonb_ivm_array_replace('{"a": [1, 2]}', '{a}', '[3]', '[5]') IS NULL AS missing;
SELECT jsonb_ivm_array_replace('{"a": [1, 2]}', '{a}', '[1, 1]', '[5, 6]') IS NULL AS same_index;
SELECT jsonb_ivm_array_replace('{"a": [1.0]}', '{a}', '[1.00]', '[5]') IS NULL AS other_scale;
SELECT jsonb_ivm_array_replace('{"a": {}}', '{a}', '[1]', '[5]') IS NULL AS not_an_array;
SELECT jsonb_ivm_array_replace('{}', '{a}', '[1]', '[5]') IS NULL AS no_path;
SELECT jsonb_ivm_array_replace(NULL, '{a}', '[1]', '[5]') IS NULL AS null_target;
-- fails: a NULL path
SELECT jsonb_ivm_array_replace('{"a": [1]}', NULL, '[1]', '[5]');
-- fails: lengths differ
SELECT jsonb_ivm_array_replace('{"a": [1]}', '{a}', '[1]', '[5, 6]');

-- section: byte-exact with the native rebuild, across the 32-entry stride
SELECT count(*) AS differing
FROM generate_series(1, 70) n, generate_series(0, 69) i
WHERE i < n AND (
	SELECT jsonb_ivm_array_replace(jsonb_build_object('k', jsonb_agg(jsonb_build_object('id', g, 'v', g * 1.10) ORDER BY g)),
		'{k}', jsonb_build_array(jsonb_build_object('id', i, 'v', i * 1.10)),
		jsonb_build_array(jsonb_build_object('id', i, 'v', 'é' || repeat('x', i))))::text
	FROM generate_series(0, n - 1) g)
	IS DISTINCT FROM (
	SELECT jsonb_build_object('k', jsonb_agg(CASE WHEN g = i THEN jsonb_build_object('id', i, 'v', 'é' || repeat('x', i))
		ELSE jsonb_build_object('id', g, 'v', g * 1.10) END ORDER BY g))::text
	FROM generate_series(0, n - 1) g);

-- section: a TOASTed document
CREATE TEMP TABLE big AS
	SELECT jsonb_build_object('a', jsonb_agg(jsonb_build_object('id', g, 'pad', md5(g::text)) ORDER BY g)) AS doc
	FROM generate_series(1, 5000) g;
SELECT pg_column_size(doc) < octet_length(doc::text) AS compressed FROM big;
SELECT jsonb_ivm_array_replace(doc, '{a}', jsonb_build_array(doc->'a'->4999), '["last"]')->'a'->4999 AS last,
	jsonb_ivm_array_replace(doc, '{a}', jsonb_build_array(doc->'a'->4999), '["last"]')::text
		= jsonb_set(doc, '{a,4999}', '"last"')::text AS same_as_jsonb_set
FROM big;
