-- jsonb_deep_merge(target, source)
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all
\pset null '(null)'

-- section: objects merge recursively, anything else replaces
SELECT jsonb_deep_merge('{"a": {"b": 1, "c": {"d": 2}}, "x": 1}', '{"a": {"c": {"e": 3}, "f": 4}, "y": 2}');
SELECT jsonb_deep_merge('{"a": {"b": 1}}', '{"a": 5}');
SELECT jsonb_deep_merge('{"a": 5}', '{"a": {"b": 1}}');
SELECT jsonb_deep_merge('{"a": [1, 2]}', '{"a": [3]}');
SELECT jsonb_deep_merge('{"a": {"b": 1}}', '{"a": null}');
SELECT jsonb_deep_merge('{"a": {"b": 1}}', '{"a": {}}');
SELECT jsonb_deep_merge('{"a": 1}', '[1]');
SELECT jsonb_deep_merge('[1]', '{"a": 1}');
SELECT jsonb_deep_merge('5', '6');
SELECT jsonb_deep_merge('{}', '{"a": {"b": {"c": 1}}}');
-- the seed's allocation: a nested configuration updated in place
SELECT jsonb_deep_merge(
	'{"id": 1, "network_configuration": {"id": 17, "name": "old", "gateway": {"ip": "10.0.0.1", "mask": 24}}}',
	'{"network_configuration": {"name": "new", "gateway": {"ip": "10.0.0.254"}}}');
-- numbers keep their text
SELECT jsonb_deep_merge('{"a": {"p": 1.50}}', '{"a": {"q": 2.500}}');
-- nothing new: unchanged
SELECT jsonb_deep_merge('{"a": {"b": 1, "c": 2}}', '{"a": {"b": 1}}');

-- section: NULLs
SELECT jsonb_deep_merge(NULL, '{"a": 1}');
SELECT jsonb_deep_merge('{"a": 1}', NULL);

-- section: against a recursive reference in plain SQL
CREATE FUNCTION ivm_test.deep_merge_ref(t jsonb, s jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(t) = 'object' AND jsonb_typeof(s) = 'object' THEN (
		SELECT coalesce(jsonb_object_agg(k, CASE
				WHEN t ? k AND s ? k THEN ivm_test.deep_merge_ref(t -> k, s -> k)
				WHEN s ? k THEN s -> k ELSE t -> k END), '{}')
		FROM (SELECT jsonb_object_keys(t) UNION SELECT jsonb_object_keys(s)) keys(k))
	ELSE s END
$$;
SELECT * FROM ivm_test.against_reference('jsonb_deep_merge', 'ivm_test.deep_merge_ref',
	ivm_test.merge_targets(),
	ARRAY['{"a": {"c": {"d": 3, "x": "y"}}, "kkkk": 2}', '{"a": null}', '{"kk": {"z": 1}}', '{}', '"s"',
		(SELECT jsonb_object_agg('key' || i, jsonb_build_object('m', i * 1.5)) FROM generate_series(20, 45) i)]);
