-- jsonb_merge_patch(target, patch): RFC 7386 JSON Merge Patch
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: the RFC's test cases (RFC 7386, appendix A)
SELECT original, patch, jsonb_merge_patch(original, patch) AS result
FROM (VALUES
	('{"a": "b"}'::jsonb, '{"a": "c"}'::jsonb),
	('{"a": "b"}', '{"b": "c"}'),
	('{"a": "b"}', '{"a": null}'),
	('{"a": "b", "b": "c"}', '{"a": null}'),
	('{"a": ["b"]}', '{"a": "c"}'),
	('{"a": "c"}', '{"a": ["b"]}'),
	('{"a": {"b": "c"}}', '{"a": {"b": "d", "c": null}}'),
	('{"a": [{"b": "c"}]}', '{"a": [1]}'),
	('["a", "b"]', '["c", "d"]'),
	('{"a": "b"}', '["c"]'),
	('{"a": "foo"}', 'null'),
	('{"a": "foo"}', '"bar"'),
	('{"e": null}', '{"a": 1}'),
	('[1, 2]', '{"a": "b", "c": null}'),
	('{}', '{"a": {"bb": {"ccc": null}}}')) v(original, patch);

-- section: the RFC's example (section 3)
SELECT jsonb_merge_patch(
	'{"title": "Goodbye!", "author": {"givenName": "John", "familyName": "Doe"}, "tags": ["example", "sample"], "content": "This will be unchanged"}',
	'{"title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": {"familyName": null}, "tags": ["example"]}');

-- section: more
-- nulls inside a new object are dropped, at every depth
SELECT jsonb_merge_patch('{"a": 1}', '{"b": {"c": null, "d": {"e": null, "f": 1}}}');
-- an object patch over a scalar replaces it with the patched empty object
SELECT jsonb_merge_patch('{"a": 1}', '{"a": {"b": 2, "c": null}}');
SELECT jsonb_merge_patch('5', '{"a": 1}');
-- removing a key that is not there, setting a value already there: unchanged
SELECT jsonb_merge_patch('{"a": 1}', '{"b": null}');
SELECT jsonb_merge_patch('{"a": {"b": 1}}', '{"a": {"b": 1}}');
SELECT jsonb_merge_patch('{"a": 1}', '{}');
-- numbers keep their text
SELECT jsonb_merge_patch('{"a": 1.50, "b": 1}', '{"b": 1.0}');
-- NULLs
SELECT jsonb_merge_patch(NULL, '{"a": 1}');
SELECT jsonb_merge_patch('{"a": 1}', NULL);

-- section: against the RFC's algorithm written in plain SQL
CREATE FUNCTION ivm_test.merge_patch_ref(t jsonb, p jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(p) = 'object' THEN (
		SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM (
			SELECT k, CASE WHEN p ? k THEN ivm_test.merge_patch_ref(
					CASE WHEN jsonb_typeof(t) = 'object' THEN t -> k END, p -> k)
				ELSE t -> k END AS v
			FROM (SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(t) = 'object' THEN t ELSE '{}' END)
				UNION SELECT jsonb_object_keys(p)) keys(k)
			WHERE NOT (p ? k AND jsonb_typeof(p -> k) = 'null')) x)
	ELSE p END
$$;
SELECT * FROM ivm_test.against_reference('jsonb_merge_patch', 'ivm_test.merge_patch_ref',
	ivm_test.merge_targets() || 'null'::jsonb,
	ARRAY['{"a": {"c": {"d": null, "x": "y"}}, "kkkk": 2}', '{"a": null}', '{"kk": {"z": 1, "y": null}}', '{}', '"s"', 'null',
		(SELECT jsonb_object_agg('key' || i, CASE WHEN i % 3 = 0 THEN 'null'::jsonb ELSE jsonb_build_object('m', i * 1.5) END) FROM generate_series(20, 45) i)]);
