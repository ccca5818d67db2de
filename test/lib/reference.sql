-- test/lib/reference.sql
--
-- Reference implementations of the nine jsonb_ivm functions, written in
-- plpgsql with nothing but PostgreSQL's own jsonb operators and functions
-- (#>, ->, ?, ||, -, =, <, >, jsonb_set, jsonb_build_object/array,
-- jsonb_array_elements, jsonb_each, jsonb_agg, jsonb_typeof).  They are
-- written to be read against the contract, not to be fast; the differential
-- test (test/sql/differential.sql) and the fuzzer (test/lib/fuzz.sql) compare the C
-- functions with them, result for result and byte for byte (every result
-- here is a jsonb that PostgreSQL itself built).
--
-- The contract, checked in this order:
--   a. array_path / path NULL, match_key NULL or descending NULL
--                                                   -> ERROR 22004
--      (even when the target is NULL)
--   b. target NULL                                  -> NULL
--   c. match_value, updates, source, element, patches or patch NULL
--                                                   -> target unchanged
--   d. argument errors: a path of more than one dimension -> 2202E;
--      a NULL path element -> 22004; updates / source / element that is not
--      a jsonb object, patches that is not an array of objects that all
--      carry match_key -> 22023
--   e. the walk along the path (see ivm_ref.walk)
--   f. what must be found at the end of the path: an array for the array_*
--      functions, an object for merge_at_path; anything else -> ERROR 22023.
-- has_path_changed checks (a) only and otherwise behaves like #>;
-- deep_merge and merge_patch have no path and raise no error.
--
-- Load with psql's \i; everything lives in the schema ivm_ref.

DROP SCHEMA IF EXISTS ivm_ref CASCADE;
CREATE SCHEMA ivm_ref;

-- The outcome of walking a document along a path.
--   reached: true when every path element could be followed;
--   at:      the path actually followed, in normalised form (object keys as
--            given, array positions as their non-negative index written in
--            plain decimal), so that jsonb_set can address it;
--   value:   the value at "at" (the whole document when "at" is empty);
--   stop:    when not reached, the 1-based position of the path element that
--            could not be followed;
--   why:     when not reached, 'missing key' (value is an object without
--            that key), 'index out of range' (value is an array too short)
--            or 'scalar' (value is a string, number, boolean, null or a raw
--            scalar document, which has no elements at all).
CREATE TYPE ivm_ref.walk_result AS (
	reached boolean,
	at      text[],
	value   jsonb,
	stop    int,
	why     text
);

-- Contract (d), the path part: one dimension at most, no NULL element.
-- Returns the elements of path numbered from 1, whatever the lower bound
-- of path (e.g. '[0:1]={a,b}'::text[] gives {a,b}); the walk then reads
-- path[1], path[2], ...
CREATE FUNCTION ivm_ref.check_path(path text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	elems text[] := '{}';
	elem  text;
BEGIN
	IF array_ndims(path) > 1 THEN
		RAISE EXCEPTION 'wrong number of array subscripts'
			USING ERRCODE = '2202E';
	END IF;
	FOREACH elem IN ARRAY path LOOP
		elems := elems || elem;
		IF elem IS NULL THEN
			RAISE EXCEPTION 'path element at position % is null', cardinality(elems)
				USING ERRCODE = '22004';
		END IF;
	END LOOP;
	RETURN elems;
END
$$;

-- A path element met at an array must read as an int32 exactly the way
-- PostgreSQL's strtoint() reads it: optional leading white space (the C
-- isspace() set: space, \t, \n, \v, \f, \r), an optional sign, one or more
-- ASCII digits and nothing after them, within the int32 range.  Otherwise
-- ERROR 22P02.
CREATE FUNCTION ivm_ref.parse_index(elem text, pos int) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n numeric;
BEGIN
	-- E'...' turns \t \n \x0B \f \r into the characters themselves
	IF elem ~ E'^[ \t\n\x0B\f\r]*[+-]?[0-9]+$' THEN
		n := substring(elem FROM '[+-]?[0-9]+$')::numeric;
		IF n BETWEEN -2147483648 AND 2147483647 THEN
			RETURN n::int;
		END IF;
	END IF;
	RAISE EXCEPTION 'path element at position % is not an integer: "%"', pos, elem
		USING ERRCODE = '22P02';
END
$$;

-- Contract (e): walk doc along path (already checked by check_path).
--   object: follow key path[i]; missing -> stop with 'missing key'
--   array:  path[i] must be an integer (else 22P02, raised here, i.e. only
--           when the walk really meets an array at that step); negative
--           counts from the end (-1 = last); outside -n .. n-1 -> stop with
--           'index out of range'
--   other:  stop with 'scalar'
-- Each function decides what a stop means for it.
CREATE FUNCTION ivm_ref.walk(doc jsonb, path text[]) RETURNS ivm_ref.walk_result
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v   jsonb := doc;
	at  text[] := '{}';
	idx int;
	n   int;
BEGIN
	FOR i IN 1 .. coalesce(cardinality(path), 0) LOOP
		CASE jsonb_typeof(v)
		WHEN 'object' THEN
			IF NOT v ? path[i] THEN
				RETURN ROW(false, at, v, i, 'missing key')::ivm_ref.walk_result;
			END IF;
			v := v -> path[i];
			at := at || path[i];
		WHEN 'array' THEN
			idx := ivm_ref.parse_index(path[i], i);
			n := jsonb_array_length(v);
			IF idx < 0 THEN
				idx := n + idx;
			END IF;
			IF idx < 0 OR idx >= n THEN
				RETURN ROW(false, at, v, i, 'index out of range')::ivm_ref.walk_result;
			END IF;
			v := v -> idx;
			at := at || idx::text;
		ELSE
			RETURN ROW(false, at, v, i, 'scalar')::ivm_ref.walk_result;
		END CASE;
	END LOOP;
	RETURN ROW(true, at, v, NULL, NULL)::ivm_ref.walk_result;
END
$$;

-- doc with the value at the existing normalised path "at" replaced by
-- new_value; the empty path designates the whole document.
CREATE FUNCTION ivm_ref.set_at(doc jsonb, at text[], new_value jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN cardinality(at) = 0 THEN new_value
	            ELSE jsonb_set(doc, at, new_value, false) END
$$;

-- keys {k1,...,kn} and leaf -> {"k1": {"k2": ... {"kn": leaf}}}; no keys -> leaf.
CREATE FUNCTION ivm_ref.nest(keys text[], leaf jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v jsonb := leaf;
BEGIN
	FOR i IN REVERSE coalesce(cardinality(keys), 0) .. 1 LOOP
		v := jsonb_build_object(keys[i], v);
	END LOOP;
	RETURN v;
END
$$;

-- Contract (a): ERROR 22004 when is_null, naming the arguments that must
-- not be NULL.
CREATE FUNCTION ivm_ref.check_not_null(is_null boolean, names text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF is_null THEN
		RAISE EXCEPTION '% must not be null', names USING ERRCODE = '22004';
	END IF;
END
$$;

-- Contract (d), an argument that must be a jsonb object (or, with kind
-- 'array', an array): ERROR 22023 naming it otherwise.
CREATE FUNCTION ivm_ref.check_type(v jsonb, name text, kind text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF jsonb_typeof(v) <> kind THEN
		RAISE EXCEPTION '% must be a jsonb %', name, kind USING ERRCODE = '22023';
	END IF;
END
$$;

-- Contract (f): what the walk w reached at the end of the path named
-- path_name must be of type kind ('array' or 'object'); ERROR 22023
-- otherwise.
CREATE FUNCTION ivm_ref.check_found(w ivm_ref.walk_result, path_name text,
	kind text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF jsonb_typeof(w.value) <> kind THEN
		RAISE EXCEPTION 'value at % is not an %', path_name, kind
			USING ERRCODE = '22023';
	END IF;
END
$$;

-- Contract (e) for the functions that create what is missing: target
-- where the walk w along path stopped at a missing key (w.value is the
-- object that lacks path[w.stop]), that object given the key, holding the
-- rest of the path as nested objects and leaf at the end; any other stop
-- -> ERROR 22023.
CREATE FUNCTION ivm_ref.create_missing(target jsonb, path text[],
	w ivm_ref.walk_result, leaf jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF w.why <> 'missing key' THEN
		RAISE EXCEPTION 'cannot follow path element at position %: %', w.stop, w.why
			USING ERRCODE = '22023';
	END IF;
	RETURN ivm_ref.set_at(target, w.at,
		w.value || jsonb_build_object(path[w.stop],
			ivm_ref.nest(path[w.stop + 1 :], leaf)));
END
$$;

-- 0-based position of the first element of the array arr that is an object
-- having the key match_key with a value = match_value (jsonb equality:
-- 42 = 42.0, containers compared deeply); NULL when there is none.
-- Elements that are not objects are skipped.
CREATE FUNCTION ivm_ref.first_match(arr jsonb, match_key text, match_value jsonb)
RETURNS int
LANGUAGE sql IMMUTABLE AS $$
	SELECT (e.ord - 1)::int
	FROM jsonb_array_elements(arr) WITH ORDINALITY AS e(elem, ord)
	WHERE jsonb_typeof(e.elem) = 'object'
	  AND e.elem ? match_key
	  AND e.elem -> match_key = match_value
	ORDER BY e.ord
	LIMIT 1
$$;

-- 1. jsonb_array_update_where
CREATE FUNCTION ivm_ref.array_update_where(target jsonb, array_path text[],
	match_key text, match_value jsonb, updates jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	w   ivm_ref.walk_result;
	pos int;
BEGIN
	-- a
	PERFORM ivm_ref.check_not_null(array_path IS NULL OR match_key IS NULL,
		'array_path and match_key');
	-- b, c: a NULL target is returned as it is
	IF target IS NULL OR match_value IS NULL OR updates IS NULL THEN
		RETURN target;
	END IF;
	-- d
	array_path := ivm_ref.check_path(array_path);
	PERFORM ivm_ref.check_type(updates, 'updates', 'object');
	-- e: nothing at array_path (missing key, index out of range, scalar on
	-- the way): nothing to update
	w := ivm_ref.walk(target, array_path);
	IF NOT w.reached THEN
		RETURN target;
	END IF;
	-- f
	PERFORM ivm_ref.check_found(w, 'array_path', 'array');
	pos := ivm_ref.first_match(w.value, match_key, match_value);
	IF pos IS NULL THEN
		RETURN target;
	END IF;
	RETURN ivm_ref.set_at(target, w.at || pos::text,
		(w.value -> pos) || updates);
END
$$;

-- 2. jsonb_merge_at_path
CREATE FUNCTION ivm_ref.merge_at_path(target jsonb, source jsonb, path text[])
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	w ivm_ref.walk_result;
BEGIN
	-- a
	PERFORM ivm_ref.check_not_null(path IS NULL, 'path');
	-- b, c: a NULL target is returned as it is
	IF target IS NULL OR source IS NULL THEN
		RETURN target;
	END IF;
	-- d
	path := ivm_ref.check_path(path);
	PERFORM ivm_ref.check_type(source, 'source', 'object');
	-- e (the object created at the end of path is {} || source = source)
	w := ivm_ref.walk(target, path);
	IF NOT w.reached THEN
		RETURN ivm_ref.create_missing(target, path, w, source);
	END IF;
	-- f
	PERFORM ivm_ref.check_found(w, 'path', 'object');
	RETURN ivm_ref.set_at(target, w.at, w.value || source);
END
$$;

-- 3. jsonb_has_path_changed
CREATE FUNCTION ivm_ref.has_path_changed(old jsonb, new jsonb, path text[])
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	-- a
	PERFORM ivm_ref.check_not_null(path IS NULL, 'path');
	IF old IS NULL AND new IS NULL THEN
		RETURN false;
	END IF;
	IF old IS NULL OR new IS NULL THEN
		RETURN true;
	END IF;
	RETURN (old #> path) IS DISTINCT FROM (new #> path);
END
$$;

-- 4. jsonb_array_upsert_where
CREATE FUNCTION ivm_ref.array_upsert_where(target jsonb, array_path text[],
	match_key text, match_value jsonb, element jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	w   ivm_ref.walk_result;
	pos int;
BEGIN
	-- a
	PERFORM ivm_ref.check_not_null(array_path IS NULL OR match_key IS NULL,
		'array_path and match_key');
	-- b, c: a NULL target is returned as it is
	IF target IS NULL OR match_value IS NULL OR element IS NULL THEN
		RETURN target;
	END IF;
	-- d
	array_path := ivm_ref.check_path(array_path);
	PERFORM ivm_ref.check_type(element, 'element', 'object');
	-- e
	w := ivm_ref.walk(target, array_path);
	IF NOT w.reached THEN
		RETURN ivm_ref.create_missing(target, array_path, w,
			jsonb_build_array(element));
	END IF;
	-- f
	PERFORM ivm_ref.check_found(w, 'array_path', 'array');
	pos := ivm_ref.first_match(w.value, match_key, match_value);
	IF pos IS NULL THEN
		RETURN ivm_ref.set_at(target, w.at, w.value || jsonb_build_array(element));
	END IF;
	RETURN ivm_ref.set_at(target, w.at || pos::text, element);
END
$$;

-- Whether elem is an object having the key match_key with a value =
-- match_value (never NULL: elements that are not objects, or lack the key,
-- do not match).
CREATE FUNCTION ivm_ref.matches(elem jsonb, match_key text, match_value jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_typeof(elem) = 'object' AND coalesce(elem -> match_key = match_value, false)
$$;

-- 5. jsonb_array_delete_where
CREATE FUNCTION ivm_ref.array_delete_where(target jsonb, array_path text[],
	match_key text, match_value jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	w    ivm_ref.walk_result;
	kept jsonb;
BEGIN
	-- a
	PERFORM ivm_ref.check_not_null(array_path IS NULL OR match_key IS NULL,
		'array_path and match_key');
	-- b, c: a NULL target is returned as it is
	IF target IS NULL OR match_value IS NULL THEN
		RETURN target;
	END IF;
	-- d
	array_path := ivm_ref.check_path(array_path);
	-- e: nothing at array_path (missing key, index out of range, scalar on
	-- the way): nothing to delete
	w := ivm_ref.walk(target, array_path);
	IF NOT w.reached THEN
		RETURN target;
	END IF;
	-- f
	PERFORM ivm_ref.check_found(w, 'array_path', 'array');
	-- every element but the matching ones, in order
	kept := coalesce((
		SELECT jsonb_agg(e.elem ORDER BY e.ord)
		FROM jsonb_array_elements(w.value) WITH ORDINALITY AS e(elem, ord)
		WHERE NOT ivm_ref.matches(e.elem, match_key, match_value)), '[]');
	RETURN ivm_ref.set_at(target, w.at, kept);
END
$$;

-- Whether the array element elem sorts after the element new_elem by
-- sort_key, in a sorted insert: the values at sort_key in jsonb's ordering
-- (the < and > operators), reversed when descending; an element without
-- sort_key (or not an object) sorts as NULL does in ORDER BY: after every
-- value ascending (NULLS LAST), before every value descending (NULLS
-- FIRST); two such elements sort as equal.
CREATE FUNCTION ivm_ref.sorts_after(elem jsonb, new_elem jsonb, sort_key text,
	descending boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN a IS NULL AND b IS NULL THEN false
		WHEN a IS NULL THEN NOT descending
		WHEN b IS NULL THEN descending
		WHEN descending THEN a < b
		ELSE a > b END
	FROM (SELECT CASE WHEN jsonb_typeof(elem) = 'object' THEN elem -> sort_key END,
	             CASE WHEN jsonb_typeof(new_elem) = 'object' THEN new_elem -> sort_key END)
		AS v(a, b)
$$;

-- 6. jsonb_array_insert_where
CREATE FUNCTION ivm_ref.array_insert_where(target jsonb, array_path text[],
	element jsonb, sort_key text DEFAULT NULL, descending boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	w   ivm_ref.walk_result;
	pos int;
BEGIN
	-- a
	PERFORM ivm_ref.check_not_null(array_path IS NULL OR descending IS NULL,
		'array_path and descending');
	-- b, c: a NULL target is returned as it is
	IF target IS NULL OR element IS NULL THEN
		RETURN target;
	END IF;
	-- d
	array_path := ivm_ref.check_path(array_path);
	PERFORM ivm_ref.check_type(element, 'element', 'object');
	-- e: a missing array is created as by array_upsert_where
	w := ivm_ref.walk(target, array_path);
	IF NOT w.reached THEN
		RETURN ivm_ref.create_missing(target, array_path, w,
			jsonb_build_array(element));
	END IF;
	-- f
	PERFORM ivm_ref.check_found(w, 'array_path', 'array');
	-- before the first element that sorts after element; no sort key, or
	-- none sorts after it: at the end
	IF sort_key IS NOT NULL THEN
		pos := (SELECT min(e.ord) - 1
			FROM jsonb_array_elements(w.value) WITH ORDINALITY AS e(elem, ord)
			WHERE ivm_ref.sorts_after(e.elem, element, sort_key, descending));
	END IF;
	pos := coalesce(pos, jsonb_array_length(w.value));
	RETURN ivm_ref.set_at(target, w.at,
		coalesce((SELECT jsonb_agg(e.elem ORDER BY e.ord)
			FROM jsonb_array_elements(w.value) WITH ORDINALITY AS e(elem, ord)
			WHERE e.ord <= pos), '[]')
		|| jsonb_build_array(element)
		|| coalesce((SELECT jsonb_agg(e.elem ORDER BY e.ord)
			FROM jsonb_array_elements(w.value) WITH ORDINALITY AS e(elem, ord)
			WHERE e.ord > pos), '[]'));
END
$$;

-- An element of a batch update with the patches applied: when elem is an
-- object that has match_key, elem || p for every patch p (in order) whose
-- match_key value equals elem's original one; otherwise elem itself.
CREATE FUNCTION ivm_ref.apply_patches(elem jsonb, match_key text, patches jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v jsonb;
	p jsonb;
BEGIN
	IF jsonb_typeof(elem) <> 'object' OR NOT elem ? match_key THEN
		RETURN elem;
	END IF;
	v := elem -> match_key;
	FOR p IN SELECT x.patch FROM jsonb_array_elements(patches) WITH ORDINALITY AS x(patch, ord)
		ORDER BY x.ord
	LOOP
		IF p -> match_key = v THEN
			elem := elem || p;
		END IF;
	END LOOP;
	RETURN elem;
END
$$;

-- 7. jsonb_array_update_where_batch
CREATE FUNCTION ivm_ref.array_update_where_batch(target jsonb, array_path text[],
	match_key text, patches jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	w ivm_ref.walk_result;
	p jsonb;
BEGIN
	-- a
	PERFORM ivm_ref.check_not_null(array_path IS NULL OR match_key IS NULL,
		'array_path and match_key');
	-- b, c: a NULL target is returned as it is
	IF target IS NULL OR patches IS NULL THEN
		RETURN target;
	END IF;
	-- d
	array_path := ivm_ref.check_path(array_path);
	PERFORM ivm_ref.check_type(patches, 'patches', 'array');
	FOR p IN SELECT jsonb_array_elements(patches) LOOP
		IF jsonb_typeof(p) <> 'object' OR NOT p ? match_key THEN
			RAISE EXCEPTION 'every patch must be an object carrying match_key'
				USING ERRCODE = '22023';
		END IF;
	END LOOP;
	-- e: nothing at array_path: nothing to update
	w := ivm_ref.walk(target, array_path);
	IF NOT w.reached THEN
		RETURN target;
	END IF;
	-- f
	PERFORM ivm_ref.check_found(w, 'array_path', 'array');
	RETURN ivm_ref.set_at(target, w.at, coalesce((
		SELECT jsonb_agg(ivm_ref.apply_patches(e.elem, match_key, patches) ORDER BY e.ord)
		FROM jsonb_array_elements(w.value) WITH ORDINALITY AS e(elem, ord)), '[]'));
END
$$;

-- Deep merge of two values: objects key by key, recursively; anything
-- else: s.
CREATE FUNCTION ivm_ref.deep_merge_values(t jsonb, s jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text;
	v jsonb;
BEGIN
	IF jsonb_typeof(t) <> 'object' OR jsonb_typeof(s) <> 'object' THEN
		RETURN s;
	END IF;
	FOR k, v IN SELECT key, value FROM jsonb_each(s) LOOP
		t := t || jsonb_build_object(k,
			CASE WHEN t ? k THEN ivm_ref.deep_merge_values(t -> k, v) ELSE v END);
	END LOOP;
	RETURN t;
END
$$;

-- 8. jsonb_deep_merge
CREATE FUNCTION ivm_ref.deep_merge(target jsonb, source jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	-- b, c: a NULL target is returned as it is
	IF target IS NULL OR source IS NULL THEN
		RETURN target;
	END IF;
	RETURN ivm_ref.deep_merge_values(target, source);
END
$$;

-- RFC 7386, section 2, word for word: t is the target (NULL when it is
-- undefined, i.e. a key the parent lacks), p the patch.
--   if Patch is an Object:
--     if Target is not an Object: Target = {}
--     for each Name/Value pair in Patch:
--       if Value is null: remove Name from Target (if present)
--       else: Target[Name] = MergePatch(Target[Name], Value)
--     return Target
--   else: return Patch
CREATE FUNCTION ivm_ref.merge_patch_rfc(t jsonb, p jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text;
	v jsonb;
BEGIN
	IF jsonb_typeof(p) <> 'object' THEN
		RETURN p;
	END IF;
	IF t IS NULL OR jsonb_typeof(t) <> 'object' THEN
		t := '{}';
	END IF;
	FOR k, v IN SELECT key, value FROM jsonb_each(p) LOOP
		IF jsonb_typeof(v) = 'null' THEN
			t := t - k;
		ELSE
			t := t || jsonb_build_object(k, ivm_ref.merge_patch_rfc(t -> k, v));
		END IF;
	END LOOP;
	RETURN t;
END
$$;

-- 9. jsonb_merge_patch
CREATE FUNCTION ivm_ref.merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	-- b, c: a NULL target is returned as it is (a JSON null patch is not
	-- NULL: it replaces the document)
	IF target IS NULL OR patch IS NULL THEN
		RETURN target;
	END IF;
	RETURN ivm_ref.merge_patch_rfc(target, patch);
END
$$;
