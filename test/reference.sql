-- test/reference.sql
--
-- Reference implementations of the four jsonb_ivm functions, written in
-- plpgsql with nothing but PostgreSQL's own jsonb operators and functions
-- (#>, ->, ?, ||, =, jsonb_set, jsonb_build_object/array,
-- jsonb_array_elements, jsonb_typeof).  They are written to be read against
-- the contract, not to be fast; the differential test (sql/differential.sql)
-- and the fuzzer compare the C functions with them, result for result and
-- byte for byte (every result here is a jsonb that PostgreSQL itself built).
--
-- The contract, checked in this order:
--   a. array_path / path NULL or match_key NULL     -> ERROR 22004
--      (even when the target is NULL)
--   b. target NULL                                  -> NULL
--   c. match_value, updates, source or element NULL -> target unchanged
--   d. argument errors: a path of more than one dimension -> 2202E;
--      a NULL path element -> 22004; updates / source / element that is not
--      a jsonb object -> 22023
--   e. the walk along the path (see ivm_ref.walk)
--   f. what must be found at the end of the path: an array for
--      array_update_where and array_upsert_where, an object for
--      merge_at_path; anything else -> ERROR 22023.
-- has_path_changed checks (a) only and otherwise behaves like #>.
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
	IF array_path IS NULL OR match_key IS NULL THEN
		RAISE EXCEPTION 'array_path and match_key must not be null'
			USING ERRCODE = '22004';
	END IF;
	-- b
	IF target IS NULL THEN
		RETURN NULL;
	END IF;
	-- c
	IF match_value IS NULL OR updates IS NULL THEN
		RETURN target;
	END IF;
	-- d
	array_path := ivm_ref.check_path(array_path);
	IF jsonb_typeof(updates) <> 'object' THEN
		RAISE EXCEPTION 'updates must be a jsonb object' USING ERRCODE = '22023';
	END IF;
	-- e: nothing at array_path (missing key, index out of range, scalar on
	-- the way): nothing to update
	w := ivm_ref.walk(target, array_path);
	IF NOT w.reached THEN
		RETURN target;
	END IF;
	-- f
	IF jsonb_typeof(w.value) <> 'array' THEN
		RAISE EXCEPTION 'value at array_path is not an array' USING ERRCODE = '22023';
	END IF;
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
	IF path IS NULL THEN
		RAISE EXCEPTION 'path must not be null' USING ERRCODE = '22004';
	END IF;
	-- b
	IF target IS NULL THEN
		RETURN NULL;
	END IF;
	-- c
	IF source IS NULL THEN
		RETURN target;
	END IF;
	-- d
	path := ivm_ref.check_path(path);
	IF jsonb_typeof(source) <> 'object' THEN
		RAISE EXCEPTION 'source must be a jsonb object' USING ERRCODE = '22023';
	END IF;
	-- e
	w := ivm_ref.walk(target, path);
	IF NOT w.reached THEN
		IF w.why = 'missing key' THEN
			-- w.value is the object that lacks path[w.stop]: give it that key,
			-- holding the rest of the path as nested objects and source at the
			-- end (the created object is {} || source = source)
			RETURN ivm_ref.set_at(target, w.at,
				w.value || jsonb_build_object(path[w.stop],
					ivm_ref.nest(path[w.stop + 1 :], source)));
		END IF;
		RAISE EXCEPTION 'cannot follow path element at position %: %', w.stop, w.why
			USING ERRCODE = '22023';
	END IF;
	-- f
	IF jsonb_typeof(w.value) <> 'object' THEN
		RAISE EXCEPTION 'value at path is not an object' USING ERRCODE = '22023';
	END IF;
	RETURN ivm_ref.set_at(target, w.at, w.value || source);
END
$$;

-- 3. jsonb_has_path_changed
CREATE FUNCTION ivm_ref.has_path_changed(old jsonb, new jsonb, path text[])
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	-- a
	IF path IS NULL THEN
		RAISE EXCEPTION 'path must not be null' USING ERRCODE = '22004';
	END IF;
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
	IF array_path IS NULL OR match_key IS NULL THEN
		RAISE EXCEPTION 'array_path and match_key must not be null'
			USING ERRCODE = '22004';
	END IF;
	-- b
	IF target IS NULL THEN
		RETURN NULL;
	END IF;
	-- c
	IF match_value IS NULL OR element IS NULL THEN
		RETURN target;
	END IF;
	-- d
	array_path := ivm_ref.check_path(array_path);
	IF jsonb_typeof(element) <> 'object' THEN
		RAISE EXCEPTION 'element must be a jsonb object' USING ERRCODE = '22023';
	END IF;
	-- e
	w := ivm_ref.walk(target, array_path);
	IF NOT w.reached THEN
		IF w.why = 'missing key' THEN
			-- w.value is the object that lacks array_path[w.stop]: give it that
			-- key, holding the rest of the path as nested objects, the last
			-- one of which gets [element]
			RETURN ivm_ref.set_at(target, w.at,
				w.value || jsonb_build_object(array_path[w.stop],
					ivm_ref.nest(array_path[w.stop + 1 :],
						jsonb_build_array(element))));
		END IF;
		RAISE EXCEPTION 'cannot follow path element at position %: %', w.stop, w.why
			USING ERRCODE = '22023';
	END IF;
	-- f
	IF jsonb_typeof(w.value) <> 'array' THEN
		RAISE EXCEPTION 'value at array_path is not an array' USING ERRCODE = '22023';
	END IF;
	pos := ivm_ref.first_match(w.value, match_key, match_value);
	IF pos IS NULL THEN
		RETURN ivm_ref.set_at(target, w.at, w.value || jsonb_build_array(element));
	END IF;
	RETURN ivm_ref.set_at(target, w.at || pos::text, element);
END
$$;
