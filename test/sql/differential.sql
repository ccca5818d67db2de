--
-- Differential test: the nine C functions against the plpgsql reference
-- implementations of test/lib/reference.sql (built on PostgreSQL's own jsonb
-- operators), on pseudo-random documents from test/lib/generator.sql, one case
-- per document and function: 3000 documents for the four 0.1 functions,
-- the first 1000 of them for the five 0.2 functions.  Results are compared
-- with = and byte for byte, errors by SQLSTATE, and every result must be
-- what PostgreSQL builds from its text.  The generator's PRNG is its own (md5
-- based, not random()), so the cases and the summary counts below are the
-- same on every PostgreSQL version; the counts prove that every class of
-- outcome was exercised.  Every disagreement is listed with a statement
-- that reproduces it; the listing must be empty.  Case n of a function can
-- also be rebuilt alone, after loading the two files, e.g.:
--   SELECT * FROM ivm_gen.array_case(ivm_gen.doc(ivm_gen.case_seed('doc', n)),
--       ivm_gen.case_seed('array_update_where', n), false);
--
\set ECHO none
SET client_min_messages = warning;
\i test/lib/reference.sql
\i test/lib/generator.sql
CREATE SCHEMA IF NOT EXISTS ivm_test;
CREATE OR REPLACE FUNCTION ivm_test.raw_bytes(jsonb) RETURNS bytea
AS '$libdir/jsonb_ivm', 'jsonb_ivm_raw_bytes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- SQL literals, for the statements that reproduce a case
CREATE FUNCTION pg_temp.lit(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(v::text) || '::jsonb', 'NULL') $$;
CREATE FUNCTION pg_temp.lit(v text[]) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(v::text) || '::text[]', 'NULL') $$;
CREATE FUNCTION pg_temp.lit(v text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(v), 'NULL') $$;

-- The two sides of a case: each one's result, or the SQLSTATE of the error
-- it raised; then the outcome of the case (by the reference) and whether
-- the sides disagree.
CREATE TYPE pg_temp.outcome AS (
	ref_result jsonb,
	ref_state  text,
	c_result   jsonb,
	c_state    text,
	outcome    text,
	disagree   boolean
);

-- outcome: the SQLSTATE of the reference's error; 'null' for a NULL
-- result; 'changed' when the result is not the input document (compared
-- as text, so even a number's scale counts), else 'unchanged'; for
-- has_path_changed (boolean_result), 'changed' = true, 'unchanged' = false.
-- disagree: the two sides differ in SQLSTATE, in value (=) or in bytes, or
-- the C result is not byte for byte what PostgreSQL builds from its text.
CREATE FUNCTION pg_temp.judge(o pg_temp.outcome, input jsonb, boolean_result boolean)
RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
BEGIN
	o.outcome := CASE
		WHEN o.ref_state IS NOT NULL THEN o.ref_state
		WHEN o.ref_result IS NULL THEN 'null'
		WHEN boolean_result THEN
			CASE WHEN o.ref_result = 'true' THEN 'changed' ELSE 'unchanged' END
		WHEN o.ref_result::text = input::text THEN 'unchanged'
		ELSE 'changed' END;
	o.disagree := o.ref_state IS DISTINCT FROM o.c_state
		OR o.ref_result IS DISTINCT FROM o.c_result
		OR ivm_test.raw_bytes(o.ref_result) IS DISTINCT FROM ivm_test.raw_bytes(o.c_result)
		OR (NOT boolean_result AND o.c_result IS NOT NULL AND ivm_test.raw_bytes(o.c_result)
			<> ivm_test.raw_bytes(o.c_result::text::jsonb));
	RETURN o;
END
$$;

CREATE FUNCTION pg_temp.run_update(c ivm_gen.array_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.array_update_where(c.target, c.array_path,
			c.match_key, c.match_value, c.patch);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_array_update_where(c.target, c.array_path,
			c.match_key, c.match_value, c.patch);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

CREATE FUNCTION pg_temp.run_merge(c ivm_gen.merge_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.merge_at_path(c.target, c.source, c.path);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_merge_at_path(c.target, c.source, c.path);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

-- has_path_changed's boolean is kept as a jsonb true / false
CREATE FUNCTION pg_temp.run_changed(c ivm_gen.changed_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := to_jsonb(ivm_ref.has_path_changed(c.old, c.new, c.path));
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := to_jsonb(jsonb_has_path_changed(c.old, c.new, c.path));
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.old, true);
END
$$;

CREATE FUNCTION pg_temp.run_upsert(c ivm_gen.array_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.array_upsert_where(c.target, c.array_path,
			c.match_key, c.match_value, c.patch);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_array_upsert_where(c.target, c.array_path,
			c.match_key, c.match_value, c.patch);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

CREATE FUNCTION pg_temp.run_delete(c ivm_gen.array_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.array_delete_where(c.target, c.array_path,
			c.match_key, c.match_value);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_array_delete_where(c.target, c.array_path,
			c.match_key, c.match_value);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

CREATE FUNCTION pg_temp.run_insert(c ivm_gen.insert_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.array_insert_where(c.target, c.array_path,
			c.element, c.sort_key, c.descending);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_array_insert_where(c.target, c.array_path,
			c.element, c.sort_key, c.descending);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

CREATE FUNCTION pg_temp.run_batch(c ivm_gen.batch_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.array_update_where_batch(c.target, c.array_path,
			c.match_key, c.patches);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_array_update_where_batch(c.target, c.array_path,
			c.match_key, c.patches);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

CREATE FUNCTION pg_temp.run_deep_merge(c ivm_gen.doc_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.deep_merge(c.target, c.source);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_deep_merge(c.target, c.source);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

CREATE FUNCTION pg_temp.run_merge_patch(c ivm_gen.doc_case) RETURNS pg_temp.outcome
LANGUAGE plpgsql AS $$
DECLARE
	o pg_temp.outcome;
BEGIN
	BEGIN
		o.ref_result := ivm_ref.merge_patch(c.target, c.source);
	EXCEPTION WHEN OTHERS THEN
		o.ref_state := SQLSTATE;
	END;
	BEGIN
		o.c_result := jsonb_merge_patch(c.target, c.source);
	EXCEPTION WHEN OTHERS THEN
		o.c_state := SQLSTATE;
	END;
	RETURN pg_temp.judge(o, c.target, false);
END
$$;

RESET client_min_messages;
\set ECHO all

-- the documents: case n of every function works on document n
CREATE TEMP TABLE docs AS
SELECT n, ivm_gen.doc(ivm_gen.case_seed('doc', n)) AS doc
FROM generate_series(1, 3000) AS n;

-- one row per case: its outcome and, when the two sides disagree, its
-- arguments and both results
CREATE TEMP TABLE results (
	fn          text,
	case_no     int,
	label       text,    -- which kind of path (or change, for has_path_changed) was drawn
	outcome     text,
	disagree    boolean,
	target      jsonb,   -- target, or old for has_path_changed
	arg         jsonb,   -- updates, source, element, patches, patch, or new
	                     -- for has_path_changed
	path        text[],  -- array_path or path
	match_key   text,    -- or sort_key
	match_value jsonb,
	descending  boolean,
	ref_result  jsonb,
	ref_state   text,
	c_result    jsonb,
	c_state     text
);

INSERT INTO results
SELECT 'array_update_where', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, CASE WHEN o.disagree THEN c.patch END,
	c.array_path, c.match_key, c.match_value, NULL,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d,
	LATERAL ivm_gen.array_case(d.doc, ivm_gen.case_seed('array_update_where', d.n), false) c,
	LATERAL pg_temp.run_update(c) o;

INSERT INTO results
SELECT 'merge_at_path', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, CASE WHEN o.disagree THEN c.source END,
	c.path, NULL, NULL, NULL,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d,
	LATERAL ivm_gen.merge_case(d.doc, ivm_gen.case_seed('merge_at_path', d.n)) c,
	LATERAL pg_temp.run_merge(c) o;

INSERT INTO results
SELECT 'has_path_changed', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.old END, CASE WHEN o.disagree THEN c.new END,
	c.path, NULL, NULL, NULL,
	o.ref_result, o.ref_state, o.c_result, o.c_state
FROM docs d
	JOIN docs other ON other.n = d.n % 3000 + 1,
	LATERAL ivm_gen.changed_case(d.doc, other.doc, ivm_gen.case_seed('has_path_changed', d.n)) c,
	LATERAL pg_temp.run_changed(c) o;

INSERT INTO results
SELECT 'array_upsert_where', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, CASE WHEN o.disagree THEN c.patch END,
	c.array_path, c.match_key, c.match_value, NULL,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d,
	LATERAL ivm_gen.array_case(d.doc, ivm_gen.case_seed('array_upsert_where', d.n), true) c,
	LATERAL pg_temp.run_upsert(c) o;

INSERT INTO results
SELECT 'array_delete_where', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, NULL,
	c.array_path, c.match_key, c.match_value, NULL,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d,
	LATERAL ivm_gen.delete_case(d.doc, ivm_gen.case_seed('array_delete_where', d.n)) c,
	LATERAL pg_temp.run_delete(c) o
WHERE d.n <= 1000;

INSERT INTO results
SELECT 'array_insert_where', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, CASE WHEN o.disagree THEN c.element END,
	c.array_path, c.sort_key, NULL, c.descending,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d,
	LATERAL ivm_gen.insert_case(d.doc, ivm_gen.case_seed('array_insert_where', d.n)) c,
	LATERAL pg_temp.run_insert(c) o
WHERE d.n <= 1000;

INSERT INTO results
SELECT 'array_update_where_batch', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, CASE WHEN o.disagree THEN c.patches END,
	c.array_path, c.match_key, NULL, NULL,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d,
	LATERAL ivm_gen.batch_case(d.doc, ivm_gen.case_seed('array_update_where_batch', d.n)) c,
	LATERAL pg_temp.run_batch(c) o
WHERE d.n <= 1000;

INSERT INTO results
SELECT 'deep_merge', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, CASE WHEN o.disagree THEN c.source END,
	NULL, NULL, NULL, NULL,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d
	JOIN docs other ON other.n = d.n % 3000 + 1,
	LATERAL ivm_gen.doc_case(d.doc, other.doc, ivm_gen.case_seed('deep_merge', d.n), false) c,
	LATERAL pg_temp.run_deep_merge(c) o
WHERE d.n <= 1000;

INSERT INTO results
SELECT 'merge_patch', d.n, c.label, o.outcome, o.disagree,
	CASE WHEN o.disagree THEN c.target END, CASE WHEN o.disagree THEN c.source END,
	NULL, NULL, NULL, NULL,
	CASE WHEN o.disagree THEN o.ref_result END, o.ref_state,
	CASE WHEN o.disagree THEN o.c_result END, o.c_state
FROM docs d
	JOIN docs other ON other.n = d.n % 3000 + 1,
	LATERAL ivm_gen.doc_case(d.doc, other.doc, ivm_gen.case_seed('merge_patch', d.n), true) c,
	LATERAL pg_temp.run_merge_patch(c) o
WHERE d.n <= 1000;

-- summary: one row per function
SELECT fn,
	count(*) AS cases,
	count(*) FILTER (WHERE outcome = 'changed') AS changed,
	count(*) FILTER (WHERE outcome = 'unchanged') AS unchanged,
	count(*) FILTER (WHERE outcome = 'null') AS null_result,
	count(*) FILTER (WHERE outcome = '22004') AS "22004",
	count(*) FILTER (WHERE outcome = '2202E') AS "2202E",
	count(*) FILTER (WHERE outcome = '22023') AS "22023",
	count(*) FILTER (WHERE outcome = '22P02') AS "22P02",
	count(*) FILTER (WHERE outcome NOT IN ('changed', 'unchanged', 'null',
		'22004', '2202E', '22023', '22P02')) AS other_error,
	count(*) FILTER (WHERE disagree) AS disagreements
FROM results
GROUP BY fn
ORDER BY min(array_position(ARRAY['array_update_where', 'merge_at_path',
	'has_path_changed', 'array_upsert_where', 'array_delete_where', 'array_insert_where',
	'array_update_where_batch', 'deep_merge', 'merge_patch'], fn));

-- outcomes by the kind of path (or of change) drawn
SELECT fn, label, sum(k) AS cases,
	string_agg(outcome || ' ' || k, ', ' ORDER BY outcome COLLATE "C") AS outcomes
FROM (SELECT fn, label, outcome, count(*) AS k FROM results GROUP BY 1, 2, 3) s
GROUP BY fn, label
ORDER BY fn COLLATE "C", label COLLATE "C";

-- every disagreement (must be none), with a statement that reproduces it
SELECT fn, case_no,
	format('SELECT jsonb_%s(%s);', fn, CASE
		WHEN fn IN ('array_update_where', 'array_upsert_where') THEN
			concat_ws(', ', pg_temp.lit(target), pg_temp.lit(path), pg_temp.lit(match_key),
				pg_temp.lit(match_value), pg_temp.lit(arg))
		WHEN fn = 'array_delete_where' THEN
			concat_ws(', ', pg_temp.lit(target), pg_temp.lit(path), pg_temp.lit(match_key),
				pg_temp.lit(match_value))
		WHEN fn = 'array_insert_where' THEN
			concat_ws(', ', pg_temp.lit(target), pg_temp.lit(path), pg_temp.lit(arg),
				pg_temp.lit(match_key), coalesce(descending::text, 'NULL'))
		WHEN fn = 'array_update_where_batch' THEN
			concat_ws(', ', pg_temp.lit(target), pg_temp.lit(path), pg_temp.lit(match_key),
				pg_temp.lit(arg))
		WHEN fn IN ('deep_merge', 'merge_patch') THEN
			concat_ws(', ', pg_temp.lit(target), pg_temp.lit(arg))
		ELSE  -- merge_at_path, has_path_changed
			concat_ws(', ', pg_temp.lit(target), pg_temp.lit(arg), pg_temp.lit(path))
		END) AS call,
	coalesce('ERROR ' || ref_state, ref_result::text, 'NULL') AS reference,
	coalesce('ERROR ' || c_state, c_result::text, 'NULL') AS c_module,
	ref_state IS NULL AND c_state IS NULL AND ref_result = c_result AS equal_but_other_bytes
FROM results
WHERE disagree
ORDER BY fn COLLATE "C", case_no;
