-- test/lib/fuzz.sql
--
-- The differential fuzzer of jsonb_ivm: for seeded cases of each of the
-- nine functions it compares the C function with its plpgsql reference
-- (test/lib/reference.sql) and requires
--   - the same SQLSTATE when either side raises an error,
--   - otherwise the same result, byte for byte (ivm_test.raw_bytes),
--   - a result byte for byte what PostgreSQL builds when it parses the
--     result's text (raw_bytes(r) = raw_bytes(r::text::jsonb)),
--   - arguments left as they were (the C function must never write into
--     an input datum).
-- A case that fails is shrunk (keys, elements and path elements removed
-- while the same failure persists) and recorded with the statement that
-- reproduces it.  test/t/010_fuzz.pl drives it (quick and long mode,
-- parallel sessions, crashes), test/t/040_valgrind.pl replays the C side
-- alone under valgrind (driver: test/perl/JsonbIvmTest.pm).
--
-- Cases are a pure function of (stream, function, n): case n of every
-- function works on the document ivm_gen.doc(case_seed(stream || '/doc', n))
-- (and, where a second document is needed, on document n - 1), drawn by
-- the generators of test/lib/generator.sql.  So one case can be rebuilt alone:
--   SELECT ivm_fuzz.sql(ivm_fuzz.make_case('merge_patch', 'quick', 1234));
--
-- Load with psql's \i after test/lib/helpers.sql, test/lib/reference.sql and
-- test/lib/generator.sql; everything lives in the schema ivm_fuzz.

DROP SCHEMA IF EXISTS ivm_fuzz CASCADE;
CREATE SCHEMA ivm_fuzz;

-- One call of one of the nine functions, whatever its signature.
CREATE TYPE ivm_fuzz.call AS (
	fn    text,         -- the function's name without "jsonb_"
	a     jsonb,        -- target (old, for has_path_changed)
	b     jsonb,        -- match_value, source, new, element (insert), patches, patch
	c     jsonb,        -- updates (update), element (upsert)
	path  text[],       -- array_path or path
	key   text,         -- match_key, or sort_key (insert)
	flag  boolean,      -- descending (insert)
	label text          -- which variant the generator drew
);

-- The verdict on one call.
CREATE TYPE ivm_fuzz.verdict AS (
	ref_result jsonb,   -- has_path_changed: true / false
	ref_state  text,    -- SQLSTATE of the reference's error
	c_result   jsonb,
	c_state    text,    -- SQLSTATE of the C function's error; IV001: it wrote
	                    -- into an argument
	outcome    text,    -- the reference's outcome: changed, unchanged, null,
	                    -- true, false or its SQLSTATE
	problem    text     -- NULL when the two sides agree
);

-- The nine functions, in the README's order.
CREATE FUNCTION ivm_fuzz.functions() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['array_update_where', 'array_upsert_where', 'merge_at_path',
		'has_path_changed', 'array_delete_where', 'array_insert_where',
		'array_update_where_batch', 'deep_merge', 'merge_patch']
$$;

-- Case seed of case n of function fn in the stream.
CREATE FUNCTION ivm_fuzz.seed(stream text, fn text, n int) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT ivm_gen.case_seed($1 || '/' || $2, $3)
$$;

CREATE FUNCTION ivm_fuzz.doc(stream text, n int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT ivm_gen.doc(ivm_gen.case_seed($1 || '/doc', $2))
$$;

-- A case of function fn on document doc (other_doc: a second document).
CREATE FUNCTION ivm_fuzz.make(fn text, doc jsonb, other_doc jsonb, seed bigint)
RETURNS ivm_fuzz.call
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	r ivm_fuzz.call;
BEGIN
	r.fn := fn;
	CASE fn
	WHEN 'array_update_where', 'array_upsert_where' THEN
		SELECT x.target, x.array_path, x.match_key, x.match_value, x.patch, x.label
			INTO r.a, r.path, r.key, r.b, r.c, r.label
			FROM ivm_gen.array_case(doc, seed, fn = 'array_upsert_where') x;
	WHEN 'array_delete_where' THEN
		SELECT x.target, x.array_path, x.match_key, x.match_value, x.label
			INTO r.a, r.path, r.key, r.b, r.label
			FROM ivm_gen.delete_case(doc, seed) x;
	WHEN 'merge_at_path' THEN
		SELECT x.target, x.source, x.path, x.label INTO r.a, r.b, r.path, r.label
			FROM ivm_gen.merge_case(doc, seed) x;
	WHEN 'has_path_changed' THEN
		SELECT x.old, x.new, x.path, x.label INTO r.a, r.b, r.path, r.label
			FROM ivm_gen.changed_case(doc, other_doc, seed) x;
	WHEN 'array_insert_where' THEN
		SELECT x.target, x.array_path, x.element, x.sort_key, x.descending, x.label
			INTO r.a, r.path, r.b, r.key, r.flag, r.label
			FROM ivm_gen.insert_case(doc, seed) x;
	WHEN 'array_update_where_batch' THEN
		SELECT x.target, x.array_path, x.match_key, x.patches, x.label
			INTO r.a, r.path, r.key, r.b, r.label
			FROM ivm_gen.batch_case(doc, seed) x;
	WHEN 'deep_merge', 'merge_patch' THEN
		SELECT x.target, x.source, x.label INTO r.a, r.b, r.label
			FROM ivm_gen.doc_case(doc, other_doc, seed, fn = 'merge_patch') x;
	END CASE;
	RETURN r;
END
$$;

-- Every tenth document goes through this table, so that the functions
-- also get compressed arguments (a plpgsql variable keeps a value read
-- from a table compressed when it is stored inline).
CREATE UNLOGGED TABLE ivm_fuzz.store (n int, d jsonb);

-- doc, as read back from ivm_fuzz.store (the same value, maybe compressed).
CREATE FUNCTION ivm_fuzz.stored(doc jsonb, n int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	d jsonb;
BEGIN
	INSERT INTO ivm_fuzz.store VALUES (n, doc);
	SELECT s.d INTO d FROM ivm_fuzz.store s WHERE s.n = stored.n LIMIT 1;
	DELETE FROM ivm_fuzz.store s WHERE s.n = stored.n;
	RETURN d;
END
$$;

-- Whether a value is compressed (pg_column_compression: PostgreSQL 14 and
-- later; before, unknown).
CREATE FUNCTION ivm_fuzz.compressed(v jsonb) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	r boolean;
BEGIN
	IF current_setting('server_version_num')::int >= 140000 THEN
		EXECUTE 'SELECT pg_column_compression($1) IS NOT NULL' INTO r USING v;
	END IF;
	RETURN r;
END
$$;

-- Case n of function fn in the stream, rebuilt alone (documents not
-- stored).
CREATE FUNCTION ivm_fuzz.make_case(fn text, stream text, n int) RETURNS ivm_fuzz.call
LANGUAGE sql IMMUTABLE AS $$
	SELECT ivm_fuzz.make($1, ivm_fuzz.doc($2, $3), ivm_fuzz.doc($2, $3 - 1),
		ivm_fuzz.seed($2, $1, $3))
$$;

-- Run the call, on the reference (ref) or on the C function.  Errors
-- propagate.  For the C function, the arguments are checked to be intact
-- afterwards (ERROR IV001 if not).
CREATE FUNCTION ivm_fuzz.invoke(x ivm_fuzz.call, ref boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	r      jsonb;
	before bytea[];
BEGIN
	IF ref THEN
		CASE x.fn
		WHEN 'array_update_where' THEN
			RETURN ivm_ref.array_update_where(x.a, x.path, x.key, x.b, x.c);
		WHEN 'array_upsert_where' THEN
			RETURN ivm_ref.array_upsert_where(x.a, x.path, x.key, x.b, x.c);
		WHEN 'merge_at_path' THEN
			RETURN ivm_ref.merge_at_path(x.a, x.b, x.path);
		WHEN 'has_path_changed' THEN
			RETURN to_jsonb(ivm_ref.has_path_changed(x.a, x.b, x.path));
		WHEN 'array_delete_where' THEN
			RETURN ivm_ref.array_delete_where(x.a, x.path, x.key, x.b);
		WHEN 'array_insert_where' THEN
			RETURN ivm_ref.array_insert_where(x.a, x.path, x.b, x.key, x.flag);
		WHEN 'array_update_where_batch' THEN
			RETURN ivm_ref.array_update_where_batch(x.a, x.path, x.key, x.b);
		WHEN 'deep_merge' THEN
			RETURN ivm_ref.deep_merge(x.a, x.b);
		WHEN 'merge_patch' THEN
			RETURN ivm_ref.merge_patch(x.a, x.b);
		END CASE;
	END IF;
	before := ARRAY[ivm_test.raw_bytes(x.a), ivm_test.raw_bytes(x.b), ivm_test.raw_bytes(x.c)];
	CASE x.fn
	WHEN 'array_update_where' THEN
		r := jsonb_array_update_where(x.a, x.path, x.key, x.b, x.c);
	WHEN 'array_upsert_where' THEN
		r := jsonb_array_upsert_where(x.a, x.path, x.key, x.b, x.c);
	WHEN 'merge_at_path' THEN
		r := jsonb_merge_at_path(x.a, x.b, x.path);
	WHEN 'has_path_changed' THEN
		r := to_jsonb(jsonb_has_path_changed(x.a, x.b, x.path));
	WHEN 'array_delete_where' THEN
		r := jsonb_array_delete_where(x.a, x.path, x.key, x.b);
	WHEN 'array_insert_where' THEN
		r := jsonb_array_insert_where(x.a, x.path, x.b, x.key, x.flag);
	WHEN 'array_update_where_batch' THEN
		r := jsonb_array_update_where_batch(x.a, x.path, x.key, x.b);
	WHEN 'deep_merge' THEN
		r := jsonb_deep_merge(x.a, x.b);
	WHEN 'merge_patch' THEN
		r := jsonb_merge_patch(x.a, x.b);
	END CASE;
	IF before IS DISTINCT FROM ARRAY[ivm_test.raw_bytes(x.a), ivm_test.raw_bytes(x.b),
		ivm_test.raw_bytes(x.c)]
	THEN
		RAISE EXCEPTION 'jsonb_% wrote into one of its arguments', x.fn
			USING ERRCODE = 'IV001';
	END IF;
	RETURN r;
END
$$;

-- Judge one call: both sides, then what disagrees, if anything.  With
-- known = true, ref_result and ref_state are the reference's side, already
-- known (ivm_fuzz.replay).
CREATE FUNCTION ivm_fuzz.judge(x ivm_fuzz.call, ref_result jsonb DEFAULT NULL,
	ref_state text DEFAULT NULL, known boolean DEFAULT false)
RETURNS ivm_fuzz.verdict
LANGUAGE plpgsql AS $$
DECLARE
	v ivm_fuzz.verdict;
BEGIN
	IF known THEN
		v.ref_result := ref_result;
		v.ref_state := ref_state;
	ELSE
		BEGIN
			v.ref_result := ivm_fuzz.invoke(x, true);
		EXCEPTION WHEN OTHERS THEN
			v.ref_state := SQLSTATE;
		END;
	END IF;
	BEGIN
		v.c_result := ivm_fuzz.invoke(x, false);
	EXCEPTION WHEN OTHERS THEN
		v.c_state := SQLSTATE;
	END;
	v.outcome := CASE
		WHEN v.ref_state IS NOT NULL THEN v.ref_state
		WHEN v.ref_result IS NULL THEN 'null'
		WHEN x.fn = 'has_path_changed' THEN v.ref_result::text
		WHEN v.ref_result::text = x.a::text THEN 'unchanged'
		ELSE 'changed' END;
	v.problem := CASE
		WHEN v.c_state = 'IV001' THEN 'argument modified'
		WHEN v.ref_state IS DISTINCT FROM v.c_state THEN 'SQLSTATE differs'
		WHEN v.ref_result IS DISTINCT FROM v.c_result THEN 'value differs'
		WHEN ivm_test.raw_bytes(v.ref_result) IS DISTINCT FROM ivm_test.raw_bytes(v.c_result)
			THEN 'bytes differ'
		WHEN v.c_result IS NOT NULL AND ivm_test.raw_bytes(v.c_result)
			<> ivm_test.raw_bytes(v.c_result::text::jsonb) THEN 'not canonical'
		END;
	RETURN v;
END
$$;

-- What a failure is, for the shrinker: the same problem with the same
-- SQLSTATEs.
CREATE FUNCTION ivm_fuzz.signature(v ivm_fuzz.verdict) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT v.problem || ' (reference ' || coalesce(v.ref_state, 'ok') || ', C '
		|| coalesce(v.c_state, 'ok') || ')'
$$;

-- Every value inside v, by its path (normalised: array positions as
-- non-negative indexes), outermost first.
CREATE FUNCTION ivm_fuzz.subpaths(v jsonb) RETURNS SETOF text[]
LANGUAGE sql IMMUTABLE AS $$
	WITH RECURSIVE t(p, v) AS (
		SELECT '{}'::text[], $1
		UNION ALL
		SELECT t.p || k.k, k.v
		FROM t, LATERAL (
			SELECT e.key, e.value
			FROM jsonb_each(CASE WHEN jsonb_typeof(t.v) = 'object' THEN t.v END) AS e
			UNION ALL
			SELECT (x.ord - 1)::text, x.elem
			FROM jsonb_array_elements(CASE WHEN jsonb_typeof(t.v) = 'array' THEN t.v END)
				WITH ORDINALITY AS x(elem, ord)) AS k(k, v))
	SELECT p FROM t WHERE cardinality(p) > 0
	ORDER BY cardinality(p), p COLLATE "C" DESC
$$;

-- The calls one step smaller than x: one key or element removed from one
-- of its jsonb arguments (anywhere inside them), or one path element
-- removed.
CREATE FUNCTION ivm_fuzz.reductions(x ivm_fuzz.call) RETURNS SETOF ivm_fuzz.call
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	y ivm_fuzz.call;
	p text[];
	lo int;
BEGIN
	IF x.path IS NOT NULL AND array_ndims(x.path) = 1 THEN
		lo := array_lower(x.path, 1);
		FOR i IN REVERSE array_upper(x.path, 1) .. lo LOOP
			y := x;
			y.path := x.path[lo : i - 1] || x.path[i + 1 :];
			RETURN NEXT y;
		END LOOP;
	END IF;
	FOR p IN SELECT ivm_fuzz.subpaths(x.a) LOOP
		y := x;
		y.a := x.a #- p;
		RETURN NEXT y;
	END LOOP;
	FOR p IN SELECT ivm_fuzz.subpaths(x.b) LOOP
		y := x;
		y.b := x.b #- p;
		RETURN NEXT y;
	END LOOP;
	FOR p IN SELECT ivm_fuzz.subpaths(x.c) LOOP
		y := x;
		y.c := x.c #- p;
		RETURN NEXT y;
	END LOOP;
END
$$;

-- Shrink a failing call greedily: take the first reduction that fails the
-- same way, and start again from it, until none does (or max_tries
-- judgements were made).
CREATE FUNCTION ivm_fuzz.shrink(x ivm_fuzz.call, max_tries int DEFAULT 3000)
RETURNS ivm_fuzz.call
LANGUAGE plpgsql AS $$
DECLARE
	sig   text := ivm_fuzz.signature(ivm_fuzz.judge(x));
	y     ivm_fuzz.call;
	tries int := 0;
	found boolean;
BEGIN
	IF sig IS NULL THEN
		RETURN x;
	END IF;
	LOOP
		found := false;
		FOR y IN SELECT * FROM ivm_fuzz.reductions(x) LOOP
			tries := tries + 1;
			IF ivm_fuzz.signature(ivm_fuzz.judge(y)) IS NOT DISTINCT FROM sig THEN
				x := y;
				found := true;
				EXIT;
			END IF;
			EXIT WHEN tries >= max_tries;
		END LOOP;
		EXIT WHEN NOT found OR tries >= max_tries;
	END LOOP;
	RETURN x;
END
$$;

-- SQL literals.
CREATE FUNCTION ivm_fuzz.lit(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(v::text) || '::jsonb', 'NULL::jsonb') $$;
CREATE FUNCTION ivm_fuzz.lit(v text[]) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(v::text) || '::text[]', 'NULL::text[]') $$;
CREATE FUNCTION ivm_fuzz.lit(v text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(v), 'NULL::text') $$;
CREATE FUNCTION ivm_fuzz.lit(v boolean) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(v::text, 'NULL::boolean') $$;

-- The statement that makes the call.
CREATE FUNCTION ivm_fuzz.sql(x ivm_fuzz.call) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT format('SELECT jsonb_%s(%s);', x.fn, CASE
		WHEN x.fn IN ('array_update_where', 'array_upsert_where') THEN
			concat_ws(', ', ivm_fuzz.lit(x.a), ivm_fuzz.lit(x.path), ivm_fuzz.lit(x.key),
				ivm_fuzz.lit(x.b), ivm_fuzz.lit(x.c))
		WHEN x.fn IN ('merge_at_path', 'has_path_changed') THEN
			concat_ws(', ', ivm_fuzz.lit(x.a), ivm_fuzz.lit(x.b), ivm_fuzz.lit(x.path))
		WHEN x.fn IN ('array_delete_where', 'array_update_where_batch') THEN
			concat_ws(', ', ivm_fuzz.lit(x.a), ivm_fuzz.lit(x.path), ivm_fuzz.lit(x.key),
				ivm_fuzz.lit(x.b))
		WHEN x.fn = 'array_insert_where' THEN
			concat_ws(', ', ivm_fuzz.lit(x.a), ivm_fuzz.lit(x.path), ivm_fuzz.lit(x.b),
				ivm_fuzz.lit(x.key), ivm_fuzz.lit(x.flag))
		ELSE
			concat_ws(', ', ivm_fuzz.lit(x.a), ivm_fuzz.lit(x.b))
		END)
$$;

-- What one side gave, for a report.
CREATE FUNCTION ivm_fuzz.show(result jsonb, state text, bytes boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN state IS NOT NULL THEN 'ERROR ' || state
		WHEN result IS NULL THEN 'NULL'
		WHEN bytes THEN result::text || ' (bytes ' || encode(ivm_test.raw_bytes(result), 'hex') || ')'
		ELSE result::text END
$$;

-- Results: counts of outcomes per chunk of cases, and the failures.
CREATE TABLE ivm_fuzz.tally (
	stream  text,
	fn      text,
	first   int,        -- the chunk of cases first .. last
	last    int,
	outcome text,       -- see ivm_fuzz.verdict, or 'crash'
	cases   int,
	failed  int
);

CREATE TABLE ivm_fuzz.failure (
	stream    text,
	fn        text,
	case_no   int,
	label     text,
	problem   text,     -- ivm_fuzz.signature, or 'server crash'
	statement text,     -- reproduces it (shrunk, unless shrunk is false)
	reference text,     -- what the reference gives for it
	c_module  text,     -- what the C function gives for it
	shrunk    boolean,
	size      int       -- length of the original statement
);

-- Record a failing case: shrink it (only the first few failures of each
-- kind, shrinking takes a while) and keep the statement that reproduces it.
CREATE FUNCTION ivm_fuzz.note_failure(stream text, n int, x ivm_fuzz.call, v ivm_fuzz.verdict)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	sig    text := ivm_fuzz.signature(v);
	y      ivm_fuzz.call := x;
	w      ivm_fuzz.verdict := v;
	shrink boolean;
	bytes  boolean;
BEGIN
	shrink := (SELECT count(*) < 5 FROM ivm_fuzz.failure f
		WHERE f.stream = note_failure.stream AND f.fn = x.fn AND f.problem = sig);
	IF shrink THEN
		y := ivm_fuzz.shrink(x);
		w := ivm_fuzz.judge(y);
	END IF;
	bytes := w.problem IN ('bytes differ', 'not canonical');
	INSERT INTO ivm_fuzz.failure VALUES (stream, x.fn, n, x.label, sig, ivm_fuzz.sql(y),
		ivm_fuzz.show(w.ref_result, w.ref_state, bytes),
		ivm_fuzz.show(w.c_result, w.c_state, bytes),
		shrink, length(ivm_fuzz.sql(x)));
END
$$;

-- What the reference gives for x, as ivm_fuzz.show writes it.
CREATE FUNCTION ivm_fuzz.ref_text(x ivm_fuzz.call) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN ivm_fuzz.show(ivm_fuzz.invoke(x, true), NULL, false);
EXCEPTION WHEN OTHERS THEN
	RETURN 'ERROR ' || SQLSTATE;
END
$$;

-- Record case n of function fn, which the driver saw crash the server
-- (or fail in a way the session did not survive): why says how.
CREATE FUNCTION ivm_fuzz.note_crash(stream text, fn text, n int, why text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	x ivm_fuzz.call;
BEGIN
	BEGIN
		x := ivm_fuzz.make_case(fn, stream, n);
		INSERT INTO ivm_fuzz.failure VALUES (stream, fn, n, x.label, why, ivm_fuzz.sql(x),
			ivm_fuzz.ref_text(x), why, false, length(ivm_fuzz.sql(x)));
	EXCEPTION WHEN OTHERS THEN
		-- the generator itself fails
		INSERT INTO ivm_fuzz.failure VALUES (stream, fn, n, NULL, why,
			'(the case cannot be built: ' || SQLERRM || ')', NULL, why, false, NULL);
	END;
	INSERT INTO ivm_fuzz.tally VALUES (stream, fn, n, n, 'crash', 1, 1);
END
$$;

-- Fuzz cases first .. last of the stream, for the functions fns (NULL:
-- all nine).  Adds one row per function and outcome to ivm_fuzz.tally and
-- one per failure to ivm_fuzz.failure; returns the number of failures.
CREATE FUNCTION ivm_fuzz.run(stream text, first int, last int, fns text[] DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	doc    jsonb;
	other  jsonb := ivm_fuzz.doc(stream, first - 1);
	fn     text;
	x      ivm_fuzz.call;
	v      ivm_fuzz.verdict;
	counts jsonb := '{}';
	k      text;
	nfail  int := 0;
	compressed boolean;
BEGIN
	fns := coalesce(fns, ivm_fuzz.functions());
	FOR n IN first .. last LOOP
		doc := ivm_fuzz.doc(stream, n);
		compressed := false;
		IF n % 10 = 0 THEN
			doc := ivm_fuzz.stored(doc, n);
			compressed := ivm_fuzz.compressed(doc);
		END IF;
		FOREACH fn IN ARRAY fns LOOP
			x := ivm_fuzz.make(fn, doc, other, ivm_fuzz.seed(stream, fn, n));
			IF compressed THEN
				x.label := x.label || ', compressed document';
			END IF;
			v := ivm_fuzz.judge(x);
			k := fn || '|' || v.outcome || '|' || (v.problem IS NOT NULL)::text;
			counts := counts || jsonb_build_object(k, coalesce((counts ->> k)::int, 0) + 1);
			IF v.problem IS NOT NULL THEN
				nfail := nfail + 1;
				PERFORM ivm_fuzz.note_failure(stream, n, x, v);
			END IF;
		END LOOP;
		other := doc;
	END LOOP;
	INSERT INTO ivm_fuzz.tally
	SELECT stream, split_part(key, '|', 1), first, last, split_part(key, '|', 2),
		value::int, CASE WHEN split_part(key, '|', 3) = 'true' THEN value::int ELSE 0 END
	FROM jsonb_each_text(counts);
	RETURN nfail;
END
$$;

-- Replaying the C side alone.  Drawing a case and running the reference
-- cost far more than the C function; under valgrind that makes the fuzzer
-- crawl.  So test/t/040_valgrind.pl draws the cases and the reference's
-- verdicts on a server without valgrind (ivm_fuzz.draw, then saved with
-- COPY), and replays only the C functions on the server under valgrind
-- (ivm_fuzz.replay).  The documents are not stored (not compressed) there.
CREATE TABLE ivm_fuzz.drawn (
	stream     text,
	case_no    int,
	x          ivm_fuzz.call,
	ref_result jsonb,
	ref_state  text
);

-- Draw cases first .. last of the stream, for every function, with what
-- the reference gives for each.
CREATE FUNCTION ivm_fuzz.draw(stream text, first int, last int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	doc   jsonb;
	other jsonb := ivm_fuzz.doc(stream, first - 1);
	fn    text;
	x     ivm_fuzz.call;
	r     jsonb;
	st    text;
BEGIN
	FOR n IN first .. last LOOP
		doc := ivm_fuzz.doc(stream, n);
		FOREACH fn IN ARRAY ivm_fuzz.functions() LOOP
			x := ivm_fuzz.make(fn, doc, other, ivm_fuzz.seed(stream, fn, n));
			r := NULL;
			st := NULL;
			BEGIN
				r := ivm_fuzz.invoke(x, true);
			EXCEPTION WHEN OTHERS THEN
				st := SQLSTATE;
			END;
			INSERT INTO ivm_fuzz.drawn VALUES (stream, n, x, r, st);
		END LOOP;
		other := doc;
	END LOOP;
END
$$;

-- Run the C side of the drawn cases first .. last of the stream (of the
-- functions fns, NULL: all) and judge it against the drawn verdicts, as
-- ivm_fuzz.run does (failures are not shrunk).  Returns the number of
-- failures.
CREATE FUNCTION ivm_fuzz.replay(stream text, first int, last int, fns text[] DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	d      ivm_fuzz.drawn;
	v      ivm_fuzz.verdict;
	counts jsonb := '{}';
	k      text;
	nfail  int := 0;
BEGIN
	FOR d IN SELECT * FROM ivm_fuzz.drawn t
		WHERE t.stream = replay.stream AND t.case_no BETWEEN first AND last
			AND (fns IS NULL OR (t.x).fn = ANY (fns))
		ORDER BY t.case_no, array_position(ivm_fuzz.functions(), (t.x).fn)
	LOOP
		v := ivm_fuzz.judge(d.x, d.ref_result, d.ref_state, true);
		k := (d.x).fn || '|' || v.outcome || '|' || (v.problem IS NOT NULL)::text;
		counts := counts || jsonb_build_object(k, coalesce((counts ->> k)::int, 0) + 1);
		IF v.problem IS NOT NULL THEN
			nfail := nfail + 1;
			INSERT INTO ivm_fuzz.failure VALUES (stream, (d.x).fn, d.case_no, (d.x).label,
				ivm_fuzz.signature(v), ivm_fuzz.sql(d.x),
				ivm_fuzz.show(v.ref_result, v.ref_state, false),
				ivm_fuzz.show(v.c_result, v.c_state, false), false, length(ivm_fuzz.sql(d.x)));
		END IF;
	END LOOP;
	INSERT INTO ivm_fuzz.tally
	SELECT stream, split_part(key, '|', 1), first, last, split_part(key, '|', 2),
		value::int, CASE WHEN split_part(key, '|', 3) = 'true' THEN value::int ELSE 0 END
	FROM jsonb_each_text(counts);
	RETURN nfail;
END
$$;

-- Per function: cases, failures and the outcomes seen.
CREATE FUNCTION ivm_fuzz.summary(stream text)
RETURNS TABLE (fn text, cases bigint, failed bigint, outcomes text)
LANGUAGE sql AS $$
	SELECT f.fn, coalesce(sum(s.k), 0), coalesce(sum(s.failed), 0),
		coalesce(string_agg(s.outcome || ' ' || s.k, ', ' ORDER BY s.outcome COLLATE "C"), '')
	FROM unnest(ivm_fuzz.functions()) WITH ORDINALITY AS f(fn, ord)
	LEFT JOIN (SELECT t.fn, t.outcome, sum(t.cases) AS k, sum(t.failed) AS failed
		FROM ivm_fuzz.tally t WHERE t.stream = summary.stream
		GROUP BY t.fn, t.outcome) s ON s.fn = f.fn
	GROUP BY f.fn, f.ord
	ORDER BY f.ord
$$;

-- The generators run many small queries with parameters; generic plans
-- spare re-planning them (as in test/lib/generator.sql).
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
		WHERE p.pronamespace IN ('ivm_fuzz'::regnamespace, 'ivm_ref'::regnamespace)
			AND l.lanname = 'plpgsql'
		ORDER BY p.oid
	LOOP
		EXECUTE format('ALTER FUNCTION %s SET plan_cache_mode = force_generic_plan', f);
	END LOOP;
END
$$;
