-- Hostile inputs: every one gives a clean error or a defined result, never
-- a crash, a NULL for a document, or a lost document.
\pset null '(null)'
SET jit = off;

-- section: huge, negative and malformed indexes
SELECT jsonb_merge_at_path('[{}]', '{"a": 1}', '{2147483647}');
SELECT jsonb_merge_at_path('[{}]', '{"a": 1}', '{-2147483648}');
SELECT jsonb_merge_at_path('[{}]', '{"a": 1}', '{2147483648}');
SELECT jsonb_merge_at_path('[{}]', '{"a": 1}', '{-1}');
SELECT jsonb_merge_at_path('[{}]', '{"a": 1}', '{""}');
SELECT jsonb_merge_at_path('[{}]', '{"a": 1}', '{" "}');
SELECT jsonb_merge_at_path('[{}]', '{"a": 1}', '{"0 "}');
SELECT jsonb_array_update_where('[[{"id": 1}]]', '{-2147483648}', 'id', '1', '{"x": 1}');
SELECT jsonb_has_path_changed('[1]', '[2]', '{-2147483648}');
SELECT jsonb_has_path_changed('[1]', '[2]', '{99999999999999999999}');

-- section: 100,000-element paths
SELECT jsonb_typeof(jsonb_merge_at_path('{}', '{"x": 1}', array_agg(i::text))) AS created,
	length(jsonb_merge_at_path('{}', '{"x": 1}', array_agg(i::text))::text) AS text_length
FROM generate_series(1, 100000) i;
SELECT jsonb_typeof(jsonb_array_upsert_where('{"1": {}}', array_agg(i::text), 'id', '1', '{"id": 1}')) AS created
FROM generate_series(1, 100000) i;
SELECT jsonb_array_update_where('{"1": {"2": {}}}', array_agg(i::text), 'id', '1', '{"id": 1}') AS unchanged
FROM generate_series(1, 100000) i;
SELECT jsonb_has_path_changed('{}', '{"1": 1}', array_agg(i::text)) AS changed
FROM generate_series(1, 100000) i;
SELECT jsonb_merge_at_path('{"a": 1}', '{"x": 1}', array_agg(CASE WHEN i = 99999 THEN NULL ELSE i::text END))
FROM generate_series(1, 100000) i;

-- section: deeply nested documents
SELECT jsonb_has_path_changed((repeat('[', 5000) || '1' || repeat(']', 5000))::jsonb,
	(repeat('[', 5000) || '1.0' || repeat(']', 5000))::jsonb, '{}') AS changed;
SELECT jsonb_has_path_changed((repeat('[', 5000) || '1' || repeat(']', 5000))::jsonb,
	(repeat('[', 5000) || '2' || repeat(']', 5000))::jsonb, '{}') AS changed;
SELECT jsonb_has_path_changed((repeat('{"a": ', 2000) || '1' || repeat('}', 2000))::jsonb,
	(repeat('{"a": ', 2000) || '2' || repeat('}', 2000))::jsonb, array_fill('a'::text, ARRAY[1999])) AS changed;
SELECT jsonb_array_update_where(
	jsonb_build_object('a', jsonb_build_array(jsonb_build_object('id', (repeat('[', 3000) || '1' || repeat(']', 3000))::jsonb))),
	'{a}', 'id', (repeat('[', 3000) || '1.00' || repeat(']', 3000))::jsonb, '{"hit": true}') -> 'a' -> 0 -> 'hit' AS hit;
-- comparisons deeper than the stack allows end in a clean error
SET max_stack_depth = '200kB';
SELECT jsonb_has_path_changed((repeat('[', 100000) || '1' || repeat(']', 100000))::jsonb,
	(repeat('[', 100000) || '2' || repeat(']', 100000))::jsonb, '{}');
RESET max_stack_depth;

-- section: 1 MB keys and values
SELECT length(jsonb_merge_at_path('{}', jsonb_build_object(repeat('k', 1000000), 1),
	ARRAY[repeat('p', 1000000)])::text) AS text_length;
SELECT jsonb_array_update_where(jsonb_build_object('a', jsonb_build_array(
		jsonb_build_object(repeat('k', 1000000), repeat('v', 1000000)))),
	'{a}', repeat('k', 1000000), to_jsonb(repeat('v', 1000000)), '{"x": 2}') -> 'a' -> 0 -> 'x' AS x;

-- section: results beyond jsonb's size limits
SELECT jsonb_merge_at_path(jsonb_build_object('a', repeat('x', 200000000)),
	jsonb_build_object('b', repeat('y', 100000000)), '{}') IS NULL;
SELECT jsonb_array_upsert_where(jsonb_build_array(jsonb_build_object('id', 1, 's', repeat('x', 200000000))),
	'{}', 'id', '2', jsonb_build_object('id', 2, 's', repeat('y', 100000000))) IS NULL;

-- section: cancellation of a long call
-- 500,000 elements scanned without a match, again and again, until the
-- timeout interrupts it
CREATE TEMP TABLE big AS
	SELECT jsonb_build_object('a', jsonb_agg(jsonb_build_object('id', i))) AS d
	FROM generate_series(1, 500000) i;
SET statement_timeout = '200ms';
SELECT jsonb_array_update_where(d, '{a}', 'id', '0', '{"x": 1}') IS NULL
FROM big, generate_series(1, 1000);
RESET statement_timeout;
DROP TABLE big;
