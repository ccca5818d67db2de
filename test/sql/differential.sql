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
\i test/lib/helpers.sql
SET client_min_messages = warning;
\i test/lib/reference.sql
\i test/lib/generator.sql

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

-- The arguments of function fn in the columns of a case, as format()
-- places them: %1$s target (old for has_path_changed), %2$s arg, %3$s path,
-- %4$s match_key (or sort_key), %5$s match_value, %6$s descending.
CREATE FUNCTION pg_temp.args(fn text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT CASE
	WHEN fn IN ('array_update_where', 'array_upsert_where') THEN '%1$s, %3$s, %4$s, %5$s, %2$s'
	WHEN fn = 'array_delete_where' THEN '%1$s, %3$s, %4$s, %5$s'
	WHEN fn = 'array_insert_where' THEN '%1$s, %3$s, %2$s, %4$s, %6$s'
	WHEN fn = 'array_update_where_batch' THEN '%1$s, %3$s, %4$s, %2$s'
	WHEN fn IN ('deep_merge', 'merge_patch') THEN '%1$s, %2$s'
	ELSE '%1$s, %2$s, %3$s' END  -- merge_at_path, has_path_changed
$$;

-- One side of a case of function fn: the function called (side || fn:
-- ivm_ref.fn, the reference, or jsonb_fn, the C function) on the case's
-- columns as pg_temp.args places them; its result, or the SQLSTATE of the
-- error it raised.  has_path_changed's boolean is kept as a jsonb true /
-- false.
CREATE FUNCTION pg_temp.call(side text, fn text, target jsonb, arg jsonb,
	path text[], match_key text, match_value jsonb, descending boolean,
	OUT result jsonb, OUT state text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format(CASE WHEN fn = 'has_path_changed' THEN 'SELECT to_jsonb(%s(%s))'
		ELSE 'SELECT %s(%s)' END, side || fn,
		format(pg_temp.args(fn), '$1', '$2', '$3', '$4', '$5', '$6'))
		INTO result USING target, arg, path, match_key, match_value, descending;
EXCEPTION WHEN OTHERS THEN
	state := SQLSTATE;
END
$$;

RESET client_min_messages;
\set ECHO all

-- the documents: case n of every function works on document n
CREATE TEMP TABLE docs AS
SELECT n, ivm_gen.doc(ivm_gen.case_seed('doc', n)) AS doc
FROM generate_series(1, 3000) AS n;

-- the cases: the arguments of each function in common columns
CREATE TEMP TABLE cases (
	fn          text,
	case_no     int,
	label       text,    -- which kind of path (or change, for has_path_changed) was drawn
	target      jsonb,   -- target, or old for has_path_changed
	arg         jsonb,   -- updates, source, element, patches, patch, or new
	                     -- for has_path_changed
	path        text[],  -- array_path or path
	match_key   text,    -- or sort_key
	match_value jsonb,
	descending  boolean
);

INSERT INTO cases (fn, case_no, label, target, arg, path, match_key, match_value)
SELECT 'array_update_where', d.n, c.label, c.target, c.patch, c.array_path, c.match_key, c.match_value
FROM docs d,
	LATERAL ivm_gen.array_case(d.doc, ivm_gen.case_seed('array_update_where', d.n), false) c;

INSERT INTO cases (fn, case_no, label, target, arg, path)
SELECT 'merge_at_path', d.n, c.label, c.target, c.source, c.path
FROM docs d,
	LATERAL ivm_gen.merge_case(d.doc, ivm_gen.case_seed('merge_at_path', d.n)) c;

INSERT INTO cases (fn, case_no, label, target, arg, path)
SELECT 'has_path_changed', d.n, c.label, c.old, c.new, c.path
FROM docs d
	JOIN docs other ON other.n = d.n % 3000 + 1,
	LATERAL ivm_gen.changed_case(d.doc, other.doc, ivm_gen.case_seed('has_path_changed', d.n)) c;

INSERT INTO cases (fn, case_no, label, target, arg, path, match_key, match_value)
SELECT 'array_upsert_where', d.n, c.label, c.target, c.patch, c.array_path, c.match_key, c.match_value
FROM docs d,
	LATERAL ivm_gen.array_case(d.doc, ivm_gen.case_seed('array_upsert_where', d.n), true) c;

INSERT INTO cases (fn, case_no, label, target, path, match_key, match_value)
SELECT 'array_delete_where', d.n, c.label, c.target, c.array_path, c.match_key, c.match_value
FROM docs d,
	LATERAL ivm_gen.delete_case(d.doc, ivm_gen.case_seed('array_delete_where', d.n)) c
WHERE d.n <= 1000;

INSERT INTO cases (fn, case_no, label, target, arg, path, match_key, descending)
SELECT 'array_insert_where', d.n, c.label, c.target, c.element, c.array_path, c.sort_key, c.descending
FROM docs d,
	LATERAL ivm_gen.insert_case(d.doc, ivm_gen.case_seed('array_insert_where', d.n)) c
WHERE d.n <= 1000;

INSERT INTO cases (fn, case_no, label, target, arg, path, match_key)
SELECT 'array_update_where_batch', d.n, c.label, c.target, c.patches, c.array_path, c.match_key
FROM docs d,
	LATERAL ivm_gen.batch_case(d.doc, ivm_gen.case_seed('array_update_where_batch', d.n)) c
WHERE d.n <= 1000;

INSERT INTO cases (fn, case_no, label, target, arg)
SELECT f.fn, d.n, c.label, c.target, c.source
FROM (VALUES ('deep_merge', false), ('merge_patch', true)) f(fn, nulls),
	docs d
	JOIN docs other ON other.n = d.n % 3000 + 1,
	LATERAL ivm_gen.doc_case(d.doc, other.doc, ivm_gen.case_seed(f.fn, d.n), f.nulls) c
WHERE d.n <= 1000;

-- one row per case: both sides' results and the outcome
CREATE TEMP TABLE results AS
SELECT c.*, o.*
FROM cases c,
	LATERAL pg_temp.call('ivm_ref.', c.fn, c.target, c.arg, c.path, c.match_key,
		c.match_value, c.descending) r,
	LATERAL pg_temp.call('jsonb_', c.fn, c.target, c.arg, c.path, c.match_key,
		c.match_value, c.descending) m,
	LATERAL pg_temp.judge((r.result, r.state, m.result, m.state, NULL, NULL),
		c.target, c.fn = 'has_path_changed') o;

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
	format('SELECT jsonb_%s(%s);', fn, format(pg_temp.args(fn), quote_nullable(target),
		quote_nullable(arg), quote_nullable(path), quote_nullable(match_key),
		quote_nullable(match_value), quote_nullable(descending))) AS call,
	coalesce('ERROR ' || ref_state, ref_result::text, 'NULL') AS reference,
	coalesce('ERROR ' || c_state, c_result::text, 'NULL') AS c_module,
	ref_state IS NULL AND c_state IS NULL AND ref_result = c_result AS equal_but_other_bytes
FROM results
WHERE disagree
ORDER BY fn COLLATE "C", case_no;
