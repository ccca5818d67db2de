-- jsonb_ivm_array_replace, jsonb_ivm_array_splice and
-- jsonb_ivm_set_at_path: the edits the projection engine generates,
-- compared byte for byte with the same edit made natively.
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

-- section: jsonb_ivm_array_splice: remove by value, insert at final indexes
SELECT jsonb_ivm_array_splice('{"a": [1, 2, 3]}', '{a}', '[2]', '{0, 3}', '["x", "y"]', NULL, NULL);
SELECT jsonb_ivm_array_splice('{"a": [1, 2, 3]}', '{a}', '[]', '{1}', '["x"]', NULL, NULL);
SELECT jsonb_ivm_array_splice('{"a": [1, 2, 3]}', '{a}', '[3, 1]', '{}', '[]', NULL, NULL);
SELECT jsonb_ivm_array_splice('{"a": [1, 2, 3]}', '{a}', '[1]', '{2}', '[1]', NULL, NULL);	-- a move
SELECT jsonb_ivm_array_splice('{"a": []}', '{a}', '[]', '{0}', '[{"k": 1.50}]', NULL, NULL);
SELECT jsonb_ivm_array_splice('{"a": [1, 1]}', '{a}', '[1]', '{}', '[]', NULL, NULL) IS NULL AS repeated;
SELECT jsonb_ivm_array_splice('{"a": [1, 2]}', '{a}', '[1, 2]', '{}', '[]', NULL, NULL) IS NULL AS emptied;
SELECT jsonb_ivm_array_splice('{"a": [1, 2]}', '{a}', '[]', '{3}', '["x"]', NULL, NULL) IS NULL AS past_the_end;
SELECT jsonb_ivm_array_splice('{"a": [1, 2]}', '{a}', '[]', '{1, 1}', '["x", "y"]', NULL, NULL) IS NULL AS not_ascending;
SELECT jsonb_ivm_array_splice('{"a": null}', '{a}', '[]', '{0}', '["x"]', NULL, NULL) IS NULL AS not_an_array;
-- empty: what the query gives for an empty array, read and written as one
SELECT jsonb_ivm_array_splice('{"a": null, "b": 1}', '{a}', '[]', '{0, 1}', '["x", 2.50]', 'null', NULL);
SELECT jsonb_ivm_array_splice('{"a": "none"}', '{a}', '[]', '{0}', '["x"]', '"none"', NULL);
SELECT jsonb_ivm_array_splice('{"a": [1, 2], "b": 1}', '{a}', '[1, 2]', '{}', '[]', 'null', NULL);
SELECT jsonb_ivm_array_splice('{"a": [1, 2]}', '{a}', '[2, 1]', '{}', '[]', '[]', NULL);
SELECT jsonb_ivm_array_splice('{"a": [1]}', '{a}', '[1]', '{}', '[]', '{"none": true}', NULL);
SELECT jsonb_ivm_array_splice('{"a": null}', '{a}', '[1]', '{}', '[]', 'null', NULL) IS NULL AS nothing_to_remove;
SELECT jsonb_ivm_array_splice('{"a": null}', '{a}', '[]', '{0}', '["x"]', '[]', NULL) IS NULL AS not_empty;
SELECT jsonb_ivm_array_splice('{"a": null}', '{a}', '[]', '{1}', '["x"]', 'null', NULL) IS NULL AS past_the_end;
SELECT jsonb_ivm_array_splice('{"b": 1}', '{a}', '[]', '{0}', '["x"]', 'null', NULL) IS NULL AS missing;
-- total: the length the array must end with
SELECT jsonb_ivm_array_splice('{"a": [1, 2]}', '{a}', '[1]', '{0}', '["x"]', NULL, 2);
SELECT jsonb_ivm_array_splice('{"a": ["x"]}', '{a}', '[]', '{0}', '["x"]', NULL, 1) IS NULL AS holds_them_already;
SELECT jsonb_ivm_array_splice('{"a": null}', '{a}', '[]', '{0}', '["x"]', 'null', 2) IS NULL AS one_missing;
-- fails: positions and news differ in length
SELECT jsonb_ivm_array_splice('{"a": [1]}', '{a}', '[]', '{0}', '[]', NULL, NULL);

-- section: splice byte-exact with the native rebuild, across the stride:
-- remove element r, insert a new one at index i of the result
SELECT count(*) AS differing
FROM generate_series(2, 70) n, generate_series(0, 69) r, generate_series(0, 69) i
WHERE r < n AND i < n AND (r + i) % 11 = 0 AND (
	SELECT jsonb_ivm_array_splice(jsonb_build_object('k', jsonb_agg(jsonb_build_object('id', g) ORDER BY g)),
		'{k}', jsonb_build_array(jsonb_build_object('id', r)), ARRAY[i], '[{"new": 1.0}]', NULL, NULL)::text
	FROM generate_series(0, n - 1) g)
	IS DISTINCT FROM (
	SELECT jsonb_build_object('k', jsonb_agg(e ORDER BY o))::text
	FROM (SELECT jsonb_build_object('id', g) AS e, row_number() OVER (ORDER BY g) - 1
			+ CASE WHEN row_number() OVER (ORDER BY g) - 1 >= i THEN 1 ELSE 0 END AS o
		  FROM generate_series(0, n - 1) g WHERE g <> r
		  UNION ALL SELECT '{"new": 1.0}', i) x);

-- section: jsonb_ivm_set_at_path: a value spliced in at a path
SELECT jsonb_ivm_set_at_path('{"a": {"b": 1}, "c": [1, 2]}', '{a}', '{"x": 1.50}');
SELECT jsonb_ivm_set_at_path('{"a": {"b": 1}}', '{a,b}', '[true, null]');
SELECT jsonb_ivm_set_at_path('{"a": {"b": 1}}', '{z}', '"new"');			-- a missing key is added
SELECT jsonb_ivm_set_at_path('{"a": {"b": 1}}', '{a}', NULL);			-- JSON null
SELECT jsonb_ivm_set_at_path('{"a": [1, 2]}', '{a,1}', '3');
SELECT jsonb_ivm_set_at_path(NULL, '{a}', '1') IS NULL AS null_target;
-- fails: a NULL path
SELECT jsonb_ivm_set_at_path('{}', NULL, '1');
-- fails: a scalar on the way
SELECT jsonb_ivm_set_at_path('{"a": 1}', '{a,b}', '1');
-- byte-exact with jsonb_set, across the stride
SELECT count(*) AS differing
FROM generate_series(1, 70) n, generate_series(0, 69) i
WHERE i < n AND (
	SELECT jsonb_ivm_set_at_path(d, ARRAY['k' || i], '{"v": [1.0, "é"]}')::text
		IS DISTINCT FROM jsonb_set(d, ARRAY['k' || i], '{"v": [1.0, "é"]}')::text
	FROM (SELECT jsonb_object_agg('k' || g, g) AS d FROM generate_series(0, n - 1) g) x);

-- section: jsonb_ivm_identical_at: true exactly where jsonb_ivm_set_at_path
-- would return its target itself
SELECT v, p, jsonb_ivm_identical_at(d, p, v) AS identical,
	jsonb_ivm_identical(d, jsonb_ivm_set_at_path(d, p, v)) AS set_changes_nothing
FROM (VALUES ('{"a": {"b": 1.50}, "c": [1, 2], "n": null}'::jsonb)) x(d),
	(VALUES ('{a}'::text[], '{"b": 1.50}'::jsonb), ('{a}', '{"b": 1.5}'), ('{a,b}', '1.50'),
		('{a,b}', '1.5'), ('{c,1}', '2'), ('{c}', '[1, 2]'), ('{n}', NULL), ('{n}', 'null'),
		('{z}', 'null'), ('{}', '{"a": {"b": 1.50}, "c": [1, 2], "n": null}')) y(p, v)
ORDER BY 1::text, 2;
SELECT jsonb_ivm_identical_at(NULL, '{a}', '1') IS NULL AS null_target;
SELECT jsonb_ivm_identical_at('{"a": 1}', '{a,b}', '1') AS scalar_on_the_way;
-- fails: a NULL path
SELECT jsonb_ivm_identical_at('{}', NULL, '1');

-- section: jsonb_ivm_identical_merge: true exactly where jsonb_merge_at_path
-- would return its target itself
SELECT s, p, jsonb_ivm_identical_merge(d, s, p) AS identical,
	jsonb_ivm_identical(d, jsonb_merge_at_path(d, s, p)) AS merge_changes_nothing
FROM (VALUES ('{"a": {"b": 1.50, "c": [1, 2]}, "n": null, "x": 1}'::jsonb)) x(d),
	(VALUES ('{}'::text[], '{"x": 1}'::jsonb), ('{}', '{"x": 1.0}'), ('{}', '{"n": null, "x": 1}'),
		('{}', '{"y": 1}'), ('{}', '{}'), ('{a}', '{"b": 1.50}'), ('{a}', '{"b": 1.5}'),
		('{a}', '{"c": [1, 2], "b": 1.50}'), ('{a}', '{"c": [2, 1]}'), ('{z}', '{}'),
		('{z,w}', '{"b": 1}'), ('{}', NULL)) y(p, s)
ORDER BY 1::text, 2;
SELECT jsonb_ivm_identical_merge(NULL, '{"a": 1}', '{}') IS NULL AS null_target;
-- the merge would fail: not identical, so that the merge raises the error
SELECT jsonb_ivm_identical_merge('{"a": 1}', '{"b": 1}', '{a}') AS scalar_at_path;
-- fails: a NULL path
SELECT jsonb_ivm_identical_merge('{}', '{}', NULL);
-- fails: the source is not an object, as for jsonb_merge_at_path
SELECT jsonb_ivm_identical_merge('{}', '[1]', '{}');

-- section: jsonb_ivm_check_snapshot: rows compared across snapshots (the
-- concurrent cases are in the isolation specs projection_repeatable_read*)
CREATE TABLE snap_rows (id integer PRIMARY KEY, parent integer);
INSERT INTO snap_rows VALUES (1, 10), (2, 10), (3, 20);
-- READ COMMITTED: nothing is compared
SELECT jsonb_ivm_check_snapshot('SELECT ctid FROM snap_rows WHERE parent = ANY ($1)', ARRAY[10]);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM snap_rows;
-- this transaction's own changes are seen by both snapshots
UPDATE snap_rows SET parent = 20 WHERE id = 2;
INSERT INTO snap_rows VALUES (4, 10);
SELECT jsonb_ivm_check_snapshot('SELECT ctid FROM snap_rows WHERE parent = ANY ($1)', ARRAY[10, 20]);
-- rows of several tids, NULL among them (a row joined to none)
SELECT jsonb_ivm_check_snapshot('SELECT a.ctid, b.ctid FROM snap_rows a
	LEFT JOIN snap_rows b ON b.id = a.parent WHERE a.parent = ANY ($1)', ARRAY[10, 20]);
-- rows of values: equal in both snapshots
SELECT jsonb_ivm_check_snapshot('SELECT id, to_jsonb(r) FROM snap_rows r WHERE parent = ANY ($1)', ARRAY[10]);
ROLLBACK;
DROP TABLE snap_rows;
