-- Helpers shared by the regression tests; each test file loads this with
-- \i test/lib/helpers.sql (pg_regress runs psql from the repository root).
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS ivm_test;

-- The stored bytes of a jsonb (its root container).  A debug symbol of the
-- module, deliberately not part of the extension's SQL API.
CREATE OR REPLACE FUNCTION ivm_test.raw_bytes(jsonb) RETURNS bytea
AS '$libdir/jsonb_ivm', 'jsonb_ivm_raw_bytes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Whether a value is byte for byte what PostgreSQL builds for the same
-- document when it parses its text.
CREATE OR REPLACE FUNCTION ivm_test.canonical(jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS
$$ SELECT ivm_test.raw_bytes($1) = ivm_test.raw_bytes($1::text::jsonb) $$;

-- Whether two values are byte for byte identical (= would say 1.0 = 1.00).
CREATE OR REPLACE FUNCTION ivm_test.same(jsonb, jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS
$$ SELECT ivm_test.raw_bytes($1) IS NOT DISTINCT FROM ivm_test.raw_bytes($2) $$;

-- An array of n server objects {"id": i, "ip": ..., "port": ...}, i = 1..n,
-- whose fields vary in length so that padding varies along the array.
CREATE OR REPLACE FUNCTION ivm_test.servers(n int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(jsonb_agg(jsonb_build_object(
		'id', i, 'ip', '10.0.' || i || '.' || repeat('1', i % 4),
		'port', ((53 + i % 3) || '.' || repeat('0', i % 3 + 1))::numeric)
		ORDER BY i), '[]')
   FROM generate_series(1, n) i $$;

-- The native way to update the first element whose key equals a value:
-- find its index with jsonb_array_elements, then jsonb_set at that index.
CREATE OR REPLACE FUNCTION ivm_test.native_update(doc jsonb, path text[],
	key text, val jsonb, updates jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce((
		SELECT jsonb_set(doc, path || (i - 1)::text, e || updates)
		FROM jsonb_array_elements(doc #> path) WITH ORDINALITY AS x(e, i)
		WHERE jsonb_typeof(e) = 'object' AND e -> key = val
		ORDER BY i LIMIT 1), doc) $$;

-- The chunk ids in a table's TOAST relation, to see whether an UPDATE
-- wrote its values again or kept the stored ones.
CREATE OR REPLACE FUNCTION ivm_test.toast_chunks(rel regclass) RETURNS oid[]
LANGUAGE plpgsql AS
$$
DECLARE
	toast regclass;
	ids oid[];
BEGIN
	SELECT reltoastrelid INTO toast FROM pg_class WHERE oid = rel;
	EXECUTE format('SELECT array_agg(DISTINCT chunk_id ORDER BY chunk_id) FROM %s', toast)
		INTO ids;
	RETURN ids;
END
$$;
-- Targets for the merge functions' comparisons with a reference: objects
-- nested a few levels, a scalar where the source has an object, an empty
-- object, an array root, and 40 keys (across the 32-entry offset stride).
CREATE OR REPLACE FUNCTION ivm_test.merge_targets() RETURNS jsonb[]
LANGUAGE sql IMMUTABLE AS
$$ SELECT ARRAY['{"a": {"b": 1, "c": {"d": [1]}}, "kk": "v", "kkk": 1.5}'::jsonb,
	'{"a": {"c": {"d": 2, "e": {"f": null}}}, "k": 1}', '{"a": 1}', '{}', '[1]',
	(SELECT jsonb_object_agg('key' || i, jsonb_build_object('n', i, 's', repeat('x', i % 4)))
	 FROM generate_series(1, 40) i)] $$;

-- fn against ref, two functions of (target, source), on every pair of
-- targets and sources: how many pairs, how many results are byte for byte
-- ref's, how many are byte for byte what PostgreSQL builds from their text.
CREATE OR REPLACE FUNCTION ivm_test.against_reference(fn regproc, ref regproc,
	targets jsonb[], sources jsonb[],
	OUT cases bigint, OUT same_as_reference bigint, OUT canonical bigint)
LANGUAGE plpgsql AS
$$
BEGIN
	EXECUTE format('SELECT count(*),
			count(*) FILTER (WHERE ivm_test.same(%1$s(t, s), %2$s(t, s))),
			count(*) FILTER (WHERE ivm_test.canonical(%1$s(t, s)))
		FROM unnest($1) t, unnest($2) s', fn, ref)
		INTO cases, same_as_reference, canonical USING targets, sources;
END
$$;
RESET client_min_messages;
