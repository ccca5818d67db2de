-- test/lib/generator.sql
--
-- Deterministic generators of documents, paths and arguments for the
-- jsonb_ivm differential test and fuzzer.  Everything lives in the schema
-- ivm_gen and depends on nothing but core PostgreSQL (13 and later).
--
-- Randomness.  random()/setseed() are not used: their algorithm changed
-- between PostgreSQL versions, and the expected output of the differential
-- test must be identical everywhere.  Instead every draw is a pure function
-- of a seed and a draw label:
--     ivm_gen.rnd(seed, k) = the first 48 bits of md5('<seed>/<k>')
-- (a counter-based generator: md5 is the same on every platform and
-- version).  A generator function receives one seed, labels each of its
-- draws with a distinct constant k (loops use k + i), and hands a child seed
-- ivm_gen.rnd(seed, k) to each generator it calls.  The same seed therefore
-- always gives the same value, whatever else was generated before, which
-- makes every test case reproducible on its own from its case seed
-- (ivm_gen.case_seed).
--
-- Load with psql's \i.

DROP SCHEMA IF EXISTS ivm_gen CASCADE;
CREATE SCHEMA ivm_gen;

------------------------------------------------------------------------------
-- PRNG
------------------------------------------------------------------------------

-- 48 random bits (0 .. 2^48-1) for draw k of seed.
CREATE FUNCTION ivm_gen.rnd(seed bigint, k int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ('x' || substr(md5($1::text || '/' || $2::text), 1, 12))::bit(48)::bigint
$$;

-- uniform integer in lo .. hi
CREATE FUNCTION ivm_gen.ri(seed bigint, k int, lo int, hi int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ($3 + ivm_gen.rnd($1, $2) % ($4::bigint - $3 + 1))::int
$$;

-- percentile 0 .. 99, for "with probability p%": ivm_gen.pct(s, k) < p
CREATE FUNCTION ivm_gen.pct(seed bigint, k int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT (ivm_gen.rnd($1, $2) % 100)::int
$$;

-- a uniformly chosen element of a non-empty one-dimensional array
CREATE FUNCTION ivm_gen.pick(seed bigint, k int, arr anyarray) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT $3[array_lower($3, 1) + (ivm_gen.rnd($1, $2) % cardinality($3))::int]
$$;

-- seed of case number n of the test stream named name
CREATE FUNCTION ivm_gen.case_seed(name text, n int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ('x' || substr(md5($1 || '#' || $2::text), 1, 12))::bit(48)::bigint
$$;

------------------------------------------------------------------------------
-- Scalars and keys
------------------------------------------------------------------------------

-- The generators of scalars and keys are slowish (a plpgsql call and a few
-- draws each), so documents take their scalars and keys from pools of
-- values these generators drew once, at load time (see the end of this
-- section): ivm_gen.key(seed), ivm_gen.str(seed), ivm_gen.num(seed) and
-- ivm_gen.scalar(seed) pick from those pools.

-- An object key: realistic projection names, keys of every length 0..8
-- (so every length mod 4), multibyte UTF-8 keys, the empty key, keys that
-- look like array indexes, and random ASCII keys.
CREATE FUNCTION ivm_gen.make_key(seed bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF ivm_gen.pct(seed, 1) < 55 THEN
		RETURN ivm_gen.pick(seed, 2, ARRAY[
			'id', 'name', 'status', 'items', 'lines', 'tags', 'meta', 'customer',
			'address', 'price', 'qty', 'total', 'sku', 'version', 'updated_at',
			'', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh',
			'é', 'ключ', '名前', '😀', 'naïve', 'x€', 'Ωmega',
			'0', '1', '-1', '10', ' 1', 'null', 'a b', 'quote"d']);
	END IF;
	-- random lower-case ASCII key of length 1 .. 12
	RETURN translate(substr(md5(seed::text), 1, ivm_gen.ri(seed, 3, 1, 12)),
		'0123456789', 'ghijklmnop');
END
$$;

-- A string: random ASCII of length 0 .. 12 (lengths 1, 2 and 3 are frequent
-- for the numeric alignment cases), multibyte text, strings needing escapes.
CREATE FUNCTION ivm_gen.make_str(seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF ivm_gen.pct(seed, 1) < 25 THEN
		RETURN to_jsonb(ivm_gen.pick(seed, 2, ARRAY[
			'', 'x', 'ab', 'xyz', 'héllo', '日本語', '😀😀', '€', 'Ωμέγα', 'ä',
			'a"b', 'back\slash', E'line\nbreak', E'tab\there', '/', '42', '1.50',
			'true', 'null']));
	END IF;
	RETURN to_jsonb(substr(md5(seed::text), 1,
		CASE WHEN ivm_gen.pct(seed, 3) < 50 THEN ivm_gen.ri(seed, 4, 1, 3)
		     ELSE ivm_gen.ri(seed, 5, 0, 12) END));
END
$$;

-- A number, written in many ways: integers, numerics with scale (1.50,
-- 42.0, ...), exponents, huge and tiny values (also those numeric stores
-- with its long header: weight beyond +-63 base-10000 digits or a scale
-- over 63).  The text is kept by jsonb.
CREATE FUNCTION ivm_gen.make_num(seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p int := ivm_gen.pct(seed, 1);
BEGIN
	IF p < 35 THEN
		RETURN to_jsonb(ivm_gen.ri(seed, 2, -20, 100));
	ELSIF p < 55 THEN
		-- two decimals, e.g. 12.50
		RETURN (ivm_gen.ri(seed, 3, -50, 500)::text || '.'
			|| lpad(ivm_gen.ri(seed, 4, 0, 99)::text, 2, '0'))::jsonb;
	ELSIF p < 65 THEN
		-- an integer with a .0 / .00 scale, e.g. 42.0
		RETURN (ivm_gen.ri(seed, 5, 0, 100)::text
			|| ivm_gen.pick(seed, 6, ARRAY['.0', '.00', '.000']))::jsonb;
	ELSIF p < 75 THEN
		RETURN to_jsonb(ivm_gen.ri(seed, 7, -2000000000, 2000000000));
	END IF;
	RETURN ivm_gen.pick(seed, 8, ARRAY[
		'0', '-0', '0.0', '1', '-1', '42', '42.0', '1.50', '1.5', '100', '-17.250',
		'3.14159265358979323846264338327950288', '0.001', '1e3', '2.5E-3',
		'12345678901234567890123', '9007199254740993', '-0.000', '0.10',
		'1E+2', '123456789.987654321', '1e300', '-1.0E+300', '1e-300', '-1e-70',
		'0.0000000000000000000000000000000000000000000000000000000000000000000000100',
		'7.0000000000000000000000000000000000000000000000000000000000000000000000'])::jsonb;
END
$$;

-- Any scalar.
CREATE FUNCTION ivm_gen.make_scalar(seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p int := ivm_gen.pct(seed, 1);
BEGIN
	IF p < 40 THEN RETURN ivm_gen.make_str(ivm_gen.rnd(seed, 2));
	ELSIF p < 80 THEN RETURN ivm_gen.make_num(ivm_gen.rnd(seed, 3));
	ELSIF p < 90 THEN RETURN to_jsonb(ivm_gen.pct(seed, 4) < 50);
	END IF;
	RETURN 'null';
END
$$;

-- The pools: 256 keys, 256 strings, 256 numbers, 1024 scalars, drawn from
-- the fixed seeds case_seed('<pool>', i), each kept as the constant body of
-- an SQL function (which the planner folds, so a pick costs one draw).
DO $pools$
DECLARE
	pools text[] := ARRAY['key', 'str', 'num', 'scalar'];
	sizes int[] := ARRAY[256, 256, 256, 1024];
	val   text;
BEGIN
	FOR i IN 1 .. 4 LOOP
		IF pools[i] = 'key' THEN
			val := format('%L::text[]', ARRAY(SELECT ivm_gen.make_key(ivm_gen.case_seed('key', j))
				FROM generate_series(0, sizes[i] - 1) j ORDER BY j));
		ELSE
			EXECUTE format($q$SELECT format('%%L::jsonb', jsonb_agg(ivm_gen.make_%s(ivm_gen.case_seed(%L, j)) ORDER BY j))
				FROM generate_series(0, %s - 1) j$q$, pools[i], pools[i], sizes[i])
				INTO val;
		END IF;
		EXECUTE format('CREATE FUNCTION ivm_gen.%s_pool() RETURNS %s LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
			pools[i], CASE pools[i] WHEN 'key' THEN 'text[]' ELSE 'jsonb' END, 'SELECT ' || val);
	END LOOP;
END
$pools$;

CREATE FUNCTION ivm_gen.key(seed bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT (ivm_gen.key_pool())[1 + (ivm_gen.rnd($1, 0) % 256)::int]
$$;

CREATE FUNCTION ivm_gen.str(seed bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ivm_gen.str_pool() -> (ivm_gen.rnd($1, 0) % 256)::int
$$;

CREATE FUNCTION ivm_gen.num(seed bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ivm_gen.num_pool() -> (ivm_gen.rnd($1, 0) % 256)::int
$$;

CREATE FUNCTION ivm_gen.scalar(seed bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ivm_gen.scalar_pool() -> (ivm_gen.rnd($1, 0) % 1024)::int
$$;

-- A UUID-like string drawn from a pool of "pool" values (small pools give
-- duplicates).
CREATE FUNCTION ivm_gen.uuid(seed bigint, k int, pool int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(md5('uuid' || ivm_gen.ri($1, $2, 0, $3 - 1)::text),
		'^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\1-\2-\3-\4-\5')
$$;

-- An id of the given kind for an array of about n entities.  Ids are drawn
-- from a range a bit larger than n, so arrays hold duplicates (the first
-- match must win) and some ids are missing.
CREATE FUNCTION ivm_gen.id_value(seed bigint, kind text, n int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	m int := greatest(n + n / 2, 2);
BEGIN
	CASE kind
	WHEN 'int' THEN
		RETURN to_jsonb(ivm_gen.ri(seed, 1, 1, m));
	WHEN 'numeric' THEN
		-- 1.50, 42.0, 7.00, 3.25 ...
		RETURN (ivm_gen.ri(seed, 2, 0, m)::text
			|| ivm_gen.pick(seed, 3, ARRAY['.0', '.50', '.00', '.25', '.5']))::jsonb;
	WHEN 'uuid' THEN
		RETURN to_jsonb(ivm_gen.uuid(seed, 4, m));
	WHEN 'bool' THEN
		RETURN to_jsonb(ivm_gen.pct(seed, 5) < 50);
	WHEN 'null' THEN
		RETURN 'null';
	WHEN 'string' THEN
		RETURN to_jsonb(ivm_gen.ri(seed, 6, 1, m)::text);
	WHEN 'object' THEN
		RETURN jsonb_build_object('k', ivm_gen.ri(seed, 7, 1, m),
			'src', ivm_gen.pick(seed, 8, ARRAY['a', 'bb', 'ccc']));
	WHEN 'array' THEN
		RETURN jsonb_build_array(ivm_gen.ri(seed, 9, 1, m),
			ivm_gen.pick(seed, 10, ARRAY['x', 'yy']));
	ELSE
		-- 'mixed': any of the above
		RETURN ivm_gen.id_value(ivm_gen.rnd(seed, 11),
			ivm_gen.pick(seed, 12, ARRAY['int', 'numeric', 'uuid', 'bool', 'null',
				'string', 'object', 'array']), n);
	END CASE;
END
$$;

------------------------------------------------------------------------------
-- Containers
------------------------------------------------------------------------------

-- How many entries a container gets: mostly few, sometimes around the
-- 32-entry offset stride of the jsonb format, up to 70.
CREATE FUNCTION ivm_gen.size(seed bigint, k int) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p int := ivm_gen.pct(seed, k);
BEGIN
	IF p < 10 THEN RETURN 0;
	ELSIF p < 80 THEN RETURN ivm_gen.ri(seed, k + 1, 1, 6);
	ELSIF p < 94 THEN RETURN ivm_gen.ri(seed, k + 1, 7, 20);
	END IF;
	RETURN ivm_gen.ri(seed, k + 1, 28, 70);
END
$$;

-- An "alignment" object: keys of equal length, so that they sort in this
-- order, alternating strings of length 1..3 and numerics (each numeric
-- then follows a string whose length is not a multiple of 4).
CREATE FUNCTION ivm_gen.aligned_obj(seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	o jsonb := '{}';
	n int := ivm_gen.ri(seed, 1, 1, 6);
BEGIN
	FOR i IN 1 .. n LOOP
		o := o || jsonb_build_object('s' || i::text || 'a',
			repeat('z', ivm_gen.ri(seed, 10 + i, 1, 3)));
		o := o || jsonb_build_object('s' || i::text || 'b',
			ivm_gen.num(ivm_gen.rnd(seed, 100 + i)));
	END LOOP;
	RETURN o;
END
$$;

-- An array alternating short strings and numerics.
CREATE FUNCTION ivm_gen.aligned_arr(seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	a jsonb := '[]';
BEGIN
	FOR i IN 1 .. ivm_gen.ri(seed, 1, 1, 8) LOOP
		a := a || jsonb_build_array(repeat('q', ivm_gen.ri(seed, 10 + i, 1, 3)),
			ivm_gen.num(ivm_gen.rnd(seed, 100 + i)));
	END LOOP;
	RETURN a;
END
$$;

-- Any value, at most depth levels of containers deep.
CREATE FUNCTION ivm_gen.value(seed bigint, depth int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p int := ivm_gen.pct(seed, 1);
BEGIN
	IF depth <= 0 OR p < 76 THEN
		RETURN ivm_gen.scalar(ivm_gen.rnd(seed, 2));
	ELSIF p < 85 THEN
		RETURN ivm_gen.obj(ivm_gen.rnd(seed, 3), depth - 1);
	ELSIF p < 91 THEN
		RETURN ivm_gen.arr(ivm_gen.rnd(seed, 4), depth - 1);
	ELSIF p < 95 THEN
		RETURN ivm_gen.entities(ivm_gen.rnd(seed, 5), depth - 1);
	ELSIF p < 98 THEN
		RETURN ivm_gen.aligned_obj(ivm_gen.rnd(seed, 6));
	END IF;
	RETURN ivm_gen.aligned_arr(ivm_gen.rnd(seed, 7));
END
$$;

-- A random object.
-- (Of two equal keys the last one wins.)
CREATE FUNCTION ivm_gen.obj(seed bigint, depth int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	o jsonb := '{}';
BEGIN
	FOR i IN 1 .. ivm_gen.size(seed, 1) LOOP
		o := o || jsonb_build_object(ivm_gen.key(ivm_gen.rnd(seed, 100 + i)),
			CASE WHEN depth <= 0 THEN ivm_gen.scalar(ivm_gen.rnd(seed, 200 + i))
			     ELSE ivm_gen.value(ivm_gen.rnd(seed, 200 + i), depth) END);
	END LOOP;
	RETURN o;
END
$$;

-- A random array.
CREATE FUNCTION ivm_gen.arr(seed bigint, depth int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	a jsonb := '[]';
BEGIN
	FOR i IN 1 .. ivm_gen.size(seed, 1) LOOP
		a := a || jsonb_build_array(
			CASE WHEN depth <= 0 THEN ivm_gen.scalar(ivm_gen.rnd(seed, 100 + i))
			     ELSE ivm_gen.value(ivm_gen.rnd(seed, 100 + i), depth) END);
	END LOOP;
	RETURN a;
END
$$;

-- An entity of an array of entities: {"<id_key>": id, ...fields}.
-- Sometimes it lacks the id key; fields include short keys that sort
-- before the id key (so a numeric id often follows a short string).
CREATE FUNCTION ivm_gen.entity(seed bigint, id_key text, id_kind text, n int,
	depth int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	o jsonb := '{}';
BEGIN
	IF ivm_gen.pct(seed, 1) < 93 THEN
		o := jsonb_build_object(id_key, ivm_gen.id_value(ivm_gen.rnd(seed, 2), id_kind, n));
	END IF;
	IF ivm_gen.pct(seed, 3) < 30 THEN
		o := o || jsonb_build_object('a', repeat('s', ivm_gen.ri(seed, 4, 1, 3)));
	END IF;
	FOR i IN 1 .. ivm_gen.ri(seed, 5, 0, 5) LOOP
		o := o || jsonb_build_object(
			ivm_gen.pick(seed, 100 + i, ARRAY['name', 'qty', 'price', 'status', 'sku',
				'b', 'cd', 'note', 'é', 'ключ', 'flag', 'updated_at']),
			CASE WHEN ivm_gen.pct(seed, 200 + i) < 90 THEN ivm_gen.scalar(ivm_gen.rnd(seed, 300 + i))
			     ELSE ivm_gen.value(ivm_gen.rnd(seed, 400 + i), least(depth, 1)) END);
	END LOOP;
	IF ivm_gen.pct(seed, 6) < 8 THEN
		o := o || jsonb_build_object('sub', ivm_gen.entities(ivm_gen.rnd(seed, 7), depth - 1));
	END IF;
	RETURN o;
END
$$;

-- An array of entities (the arrays the array functions work on): one id key
-- and one id kind per array (sometimes mixed kinds), sizes 0..70, with a
-- few elements that are not objects.
CREATE FUNCTION ivm_gen.entities(seed bigint, depth int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	a       jsonb := '[]';
	n       int := ivm_gen.size(seed, 1);
	id_key  text;
	id_kind text;
BEGIN
	IF depth < 0 THEN
		RETURN '[]';
	END IF;
	id_key := CASE WHEN ivm_gen.pct(seed, 3) < 65 THEN 'id'
		ELSE ivm_gen.pick(seed, 4, ARRAY['sku', 'key', '', 'ключ', 'line_no', 'x']) END;
	id_kind := ivm_gen.pick(seed, 5, ARRAY['int', 'int', 'int', 'numeric', 'numeric',
		'uuid', 'uuid', 'bool', 'null', 'string', 'object', 'array', 'mixed', 'mixed']);
	FOR i IN 1 .. n LOOP
		IF ivm_gen.pct(seed, 1000 + i) < 6 THEN
			a := a || jsonb_build_array(ivm_gen.value(ivm_gen.rnd(seed, 2000 + i), 1));
		ELSE
			a := a || jsonb_build_array(ivm_gen.entity(ivm_gen.rnd(seed, 3000 + i),
				id_key, id_kind, n, depth));
		END IF;
	END LOOP;
	RETURN a;
END
$$;

-- A chain of nested objects and arrays, depth levels deep, ending in an
-- array of entities.
CREATE FUNCTION ivm_gen.deep(seed bigint, depth int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v jsonb := ivm_gen.entities(ivm_gen.rnd(seed, 1), 1);
BEGIN
	FOR i IN 1 .. depth LOOP
		IF ivm_gen.pct(seed, 100 + i) < 70 THEN
			v := jsonb_build_object(ivm_gen.key(ivm_gen.rnd(seed, 200 + i)), v)
				|| ivm_gen.obj(ivm_gen.rnd(seed, 300 + i), 0);
		ELSE
			v := ivm_gen.arr(ivm_gen.rnd(seed, 400 + i), 0)
				|| jsonb_build_array(v) || ivm_gen.arr(ivm_gen.rnd(seed, 500 + i), 0);
		END IF;
	END LOOP;
	RETURN v;
END
$$;

-- A document shaped like a CQRS projection (mostly), or an array of
-- entities, a raw scalar, an empty container, a deep chain.
CREATE FUNCTION ivm_gen.doc(seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p int := ivm_gen.pct(seed, 1);
	d jsonb;
BEGIN
	IF p < 62 THEN
		d := jsonb_build_object(
			'id', ivm_gen.uuid(seed, 2, 1000000),
			'version', ivm_gen.ri(seed, 3, 1, 500),
			'status', ivm_gen.pick(seed, 4, ARRAY['new', 'paid', 'shipped', 'é']),
			'customer', jsonb_build_object(
				'id', ivm_gen.ri(seed, 5, 1, 99),
				'name', ivm_gen.str(ivm_gen.rnd(seed, 6)),
				'address', ivm_gen.obj(ivm_gen.rnd(seed, 7), 0)),
			'items', ivm_gen.entities(ivm_gen.rnd(seed, 8), 2));
		IF ivm_gen.pct(seed, 9) < 50 THEN
			d := d || jsonb_build_object('lines', ivm_gen.entities(ivm_gen.rnd(seed, 10), 1));
		END IF;
		IF ivm_gen.pct(seed, 11) < 40 THEN
			d := d || jsonb_build_object('tags', ivm_gen.arr(ivm_gen.rnd(seed, 12), 0));
		END IF;
		IF ivm_gen.pct(seed, 13) < 30 THEN
			d := d || jsonb_build_object('meta', ivm_gen.aligned_obj(ivm_gen.rnd(seed, 14)));
		END IF;
		IF ivm_gen.pct(seed, 15) < 15 THEN
			d := d || jsonb_build_object('deep', ivm_gen.deep(ivm_gen.rnd(seed, 16),
				ivm_gen.ri(seed, 17, 3, 12)));
		END IF;
		-- extra random keys; sometimes enough to cross the offset stride
		RETURN d || ivm_gen.obj(ivm_gen.rnd(seed, 18), 1);
	ELSIF p < 77 THEN
		RETURN ivm_gen.entities(ivm_gen.rnd(seed, 19), 2);
	ELSIF p < 84 THEN
		RETURN ivm_gen.scalar(ivm_gen.rnd(seed, 20));
	ELSIF p < 88 THEN
		RETURN ivm_gen.pick(seed, 21, ARRAY['{}', '[]', '[{}]', '{"": {}}', '{"a": []}'])::jsonb;
	ELSIF p < 94 THEN
		RETURN ivm_gen.deep(ivm_gen.rnd(seed, 22), ivm_gen.ri(seed, 23, 3, 14));
	END IF;
	RETURN ivm_gen.obj(ivm_gen.rnd(seed, 24), 3);
END
$$;

-- The same value with every number written with another scale or
-- notation (42 -> 42.0, 1.50 -> 1.5, ...): equal under jsonb =, different
-- bytes.
CREATE FUNCTION ivm_gen.rescale(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	t text;
BEGIN
	CASE jsonb_typeof(v)
	WHEN 'number' THEN
		t := v::text;
		IF t ~ '[eE]' THEN
			RETURN to_jsonb(v::text::numeric);
		ELSIF t !~ '\.' THEN
			RETURN (t || '.0')::jsonb;
		ELSIF t ~ '\.0+$' THEN
			RETURN regexp_replace(t, '\.0+$', '')::jsonb;
		ELSIF t ~ '0$' THEN
			RETURN regexp_replace(t, '0+$', '')::jsonb;
		END IF;
		RETURN (t || '00')::jsonb;
	WHEN 'object' THEN
		RETURN coalesce((SELECT jsonb_object_agg(key, ivm_gen.rescale(value))
			FROM jsonb_each(v)), '{}');
	WHEN 'array' THEN
		RETURN coalesce((SELECT jsonb_agg(ivm_gen.rescale(elem) ORDER BY ord)
			FROM jsonb_array_elements(v) WITH ORDINALITY AS e(elem, ord)), '[]');
	ELSE
		RETURN v;
	END CASE;
END
$$;

------------------------------------------------------------------------------
-- Paths
------------------------------------------------------------------------------

-- How to write array position i of an array of n elements: mostly plain,
-- sometimes negative (counted from the end), sometimes with white space,
-- a sign or leading zeros (all of which strtoint accepts), -0 for 0.
CREATE FUNCTION ivm_gen.spell_index(seed bigint, i int, n int) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p int := ivm_gen.pct(seed, 1);
BEGIN
	IF p < 65 THEN RETURN i::text;
	ELSIF i = 0 AND p < 70 THEN RETURN '-0';
	ELSIF p < 85 THEN RETURN (i - n)::text;
	END IF;
	RETURN ivm_gen.pick(seed, 2, ARRAY[' ', '+', '0', '00', E'\t', E'\n ', E'\r',
		E'\x0B', E'\f', ' +']) || i::text;
END
$$;

-- One random walk down doc from the root, along containers only (unless
-- want = 'any'), stopping with probability 35% at each node of the kind
-- want ('array', 'object' or 'any').  Returns the path to the last node of
-- that kind met (the root counts), or where the walk ended if it met none.
-- Array positions are written by spell_index.
CREATE FUNCTION ivm_gen.walk_down(doc jsonb, seed bigint, want text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v     jsonb := doc;
	path  text[] := '{}';
	best  text[];
	kids  text[];
	child text;
	n     int;
BEGIN
	IF jsonb_typeof(v) = want OR want = 'any' THEN
		best := path;
	END IF;
	FOR step IN 1 .. 30 LOOP
		-- stop at a node of the wanted kind with probability 35%
		IF best = path AND ivm_gen.pct(seed, step) < 35 THEN
			EXIT;
		END IF;
		IF jsonb_typeof(v) = 'object' THEN
			kids := ARRAY(SELECT key FROM jsonb_each(v)
				WHERE want = 'any' OR jsonb_typeof(value) IN ('object', 'array')
				ORDER BY key COLLATE "C");
			EXIT WHEN cardinality(kids) = 0;
			child := ivm_gen.pick(seed, 100 + step, kids);
			v := v -> child;
			path := path || child;
		ELSIF jsonb_typeof(v) = 'array' THEN
			kids := ARRAY(SELECT (ord - 1)::text
				FROM jsonb_array_elements(v) WITH ORDINALITY AS e(elem, ord)
				WHERE want = 'any' OR jsonb_typeof(elem) IN ('object', 'array')
				ORDER BY ord);
			EXIT WHEN cardinality(kids) = 0;
			child := ivm_gen.pick(seed, 100 + step, kids);
			n := jsonb_array_length(v);
			v := v -> child::int;
			path := path || ivm_gen.spell_index(ivm_gen.rnd(seed, 200 + step),
				child::int, n);
		ELSE
			EXIT;
		END IF;
		IF jsonb_typeof(v) = want OR want = 'any' THEN
			best := path;
		END IF;
	END LOOP;
	RETURN coalesce(best, path);
END
$$;

-- A random existing path of doc that ends at a node of the kind want
-- ('array', 'object' or 'any'), when doc has one: up to 6 random walks,
-- the first that ends at the wanted kind wins.  Arrays holding no object
-- (where array functions can match nothing) are taken one time in four.
CREATE FUNCTION ivm_gen.existing_path(doc jsonb, seed bigint, want text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p text[];
	v jsonb;
BEGIN
	FOR attempt IN 1 .. 6 LOOP
		p := ivm_gen.walk_down(doc, ivm_gen.rnd(seed, attempt), want);
		IF want = 'any' THEN
			RETURN p;
		END IF;
		v := doc #> p;
		IF jsonb_typeof(v) = want AND (want <> 'array'
			OR ivm_gen.pct(seed, 100 + attempt) < 25
			OR EXISTS (SELECT FROM jsonb_array_elements(v) AS e(elem)
				WHERE jsonb_typeof(elem) = 'object'))
		THEN
			RETURN p;
		END IF;
	END LOOP;
	RETURN p;
END
$$;

-- A key that generated documents mostly lack ('0', '-1' and '' are also
-- keys of the key pool, and read as positions where the walk meets arrays).
CREATE FUNCTION ivm_gen.missing_key(seed bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT ivm_gen.pick($1, 1, ARRAY['missing', 'nope', 'zz_absent', 'ключ2',
		'0', 'x', '-1', '99', ''])
$$;

-- A path element that is not an integer for strtoint.
CREATE FUNCTION ivm_gen.non_integer(seed bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT ivm_gen.pick($1, 1, ARRAY['x', '', ' ', '1.5', '1 ', '1x', '0x1', '- 1',
		'--1', '+-1', '1e2', '2147483648', '-2147483649', '99999999999999999999',
		'١', 'id', E'1\n', '½', '+', '-'])
$$;

-- Positions (1-based) of the elements of path that the walk meets at an
-- array, with the array's length, for doc; the walk stops where the path
-- cannot be followed (it never raises errors).
CREATE FUNCTION ivm_gen.array_steps(doc jsonb, path text[])
RETURNS TABLE (pos int, len int, idx int)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v jsonb := doc;
	i int;
	n int;
BEGIN
	FOR p IN 1 .. coalesce(cardinality(path), 0) LOOP
		IF jsonb_typeof(v) = 'object' AND path[p] IS NOT NULL AND v ? path[p] THEN
			v := v -> path[p];
		ELSIF jsonb_typeof(v) = 'array'
			AND path[p] ~ E'^[ \t\n\x0B\f\r]*[+-]?[0-9]{1,9}$' THEN
			i := substring(path[p] FROM '[+-]?[0-9]+$')::int;
			n := jsonb_array_length(v);
			IF i < 0 THEN i := i + n; END IF;
			pos := p;
			len := n;
			idx := i;
			RETURN NEXT;
			EXIT WHEN i < 0 OR i >= n;
			v := v -> i;
		ELSE
			EXIT;
		END IF;
	END LOOP;
END
$$;

-- path, for doc, with every array position met written as its plain
-- non-negative index (the form jsonb_set and #- need: they read negative
-- positions differently).
CREATE FUNCTION ivm_gen.normalize(doc jsonb, path text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY(SELECT coalesce(s.idx::text, $2[i])
		FROM generate_subscripts($2, 1) AS i
		LEFT JOIN ivm_gen.array_steps($1, $2) s ON s.pos = i
		ORDER BY i)
$$;

-- A two-dimensional path holding the elements of path (padded with one
-- extra key when needed): {{p1..pk},{pk+1..p2k}}.
CREATE FUNCTION ivm_gen.two_d(path text[], seed bigint) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p text[] := path;
	h int;
BEGIN
	IF cardinality(p) < 2 OR cardinality(p) % 2 = 1 THEN
		p := p || ivm_gen.key(ivm_gen.rnd(seed, 1));
	END IF;
	IF cardinality(p) < 2 THEN
		p := p || ivm_gen.key(ivm_gen.rnd(seed, 2));
	END IF;
	h := cardinality(p) / 2;
	RETURN ARRAY[p[1 : h], p[h + 1 : 2 * h]];
END
$$;

-- A path for doc, for a function that needs a container of kind want
-- ('array' or 'object') at its end, covering every outcome of the walk.
-- Returns the path and, as label, which variant was drawn.
CREATE FUNCTION ivm_gen.path_for(doc jsonb, seed bigint, want text,
	OUT path text[], OUT label text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p     int := ivm_gen.pct(seed, 1);
	other text := CASE want WHEN 'array' THEN 'object' ELSE 'array' END;
	steps int[];
	lens  int[];
	j     int;
	q     text[];
BEGIN
	path := ivm_gen.existing_path(doc, ivm_gen.rnd(seed, 2), want);
	label := 'existing';
	IF p < 48 THEN
		RETURN;
	ELSIF p < 50 THEN
		-- the same path as an array whose lower bound is not 1
		label := 'lower bound';
		IF cardinality(path) > 0 THEN
			path := (format('[%s:%s]=', 1 - cardinality(path) / 2 - 1,
				cardinality(path) - cardinality(path) / 2 - 1) || path::text)::text[];
		END IF;
	ELSIF p < 58 THEN
		-- existing path, then one or more missing keys (may look like indexes)
		label := 'missing key';
		path := path || ivm_gen.missing_key(ivm_gen.rnd(seed, 3));
		FOR i IN 1 .. ivm_gen.ri(seed, 4, 0, 2) LOOP
			path := path || ivm_gen.pick(seed, 10 + i, ARRAY['a', '0', 'x', '-1', 'items']);
		END LOOP;
	ELSIF p < 64 THEN
		label := 'other kind';
		path := ivm_gen.existing_path(doc, ivm_gen.rnd(seed, 5),
			CASE WHEN ivm_gen.pct(seed, 6) < 60 THEN other ELSE 'any' END);
	ELSIF p < 70 THEN
		-- through a scalar: an existing path to anything, then more elements
		label := 'through scalar';
		path := ivm_gen.existing_path(doc, ivm_gen.rnd(seed, 7), 'any')
			|| ivm_gen.pick(seed, 8, ARRAY['0', 'id', 'x', '-1']);
	ELSIF p < 82 THEN
		-- an array position out of range, or not an integer, at one of the
		-- arrays the walk meets (half of the time: at the last step)
		IF ivm_gen.pct(seed, 20) < 50 THEN
			q := ivm_gen.existing_path(doc, ivm_gen.rnd(seed, 21), 'array');
			IF jsonb_typeof(doc #> q) = 'array' THEN
				path := q || '0'::text;
			END IF;
		END IF;
		SELECT array_agg(s.pos ORDER BY s.pos), array_agg(s.len ORDER BY s.pos)
			INTO steps, lens FROM ivm_gen.array_steps(doc, path) s;
		IF steps IS NULL THEN
			label := 'no array met';
			path := path || '0'::text;
			RETURN;
		END IF;
		j := ivm_gen.ri(seed, 9, 1, cardinality(steps));
		IF p < 76 THEN
			label := 'index out of range';
			path[steps[j]] := CASE ivm_gen.ri(seed, 10, 0, 4)
				WHEN 0 THEN lens[j]::text
				WHEN 1 THEN (lens[j] + ivm_gen.ri(seed, 11, 1, 5))::text
				WHEN 2 THEN (-lens[j] - 1)::text
				WHEN 3 THEN (-lens[j] - ivm_gen.ri(seed, 12, 2, 50))::text
				ELSE ivm_gen.pick(seed, 13, ARRAY['2147483647', '-2147483648', ' 70', '-71'])
				END;
		ELSE
			label := 'not an integer';
			path[steps[j]] := ivm_gen.non_integer(ivm_gen.rnd(seed, 14));
		END IF;
	ELSIF p < 87 THEN
		label := 'empty';
		path := '{}';
	ELSIF p < 91 THEN
		-- a NULL element, somewhere (also after a missing key)
		label := 'null element';
		q := CASE WHEN ivm_gen.pct(seed, 15) < 30 THEN path || ivm_gen.missing_key(ivm_gen.rnd(seed, 16))
			ELSE path END;
		j := ivm_gen.ri(seed, 17, 1, cardinality(q) + 1);
		path := q[1 : j - 1] || NULL::text || q[j:];
	ELSIF p < 94 THEN
		label := '2-D';
		path := ivm_gen.two_d(path, ivm_gen.rnd(seed, 18));
	ELSIF p < 96 THEN
		label := 'null path';
		path := NULL;
	ELSE
		label := 'random keys';
		path := ARRAY[ivm_gen.key(ivm_gen.rnd(seed, 19)), ivm_gen.key(ivm_gen.rnd(seed, 20))];
	END IF;
END
$$;

------------------------------------------------------------------------------
-- Arguments
------------------------------------------------------------------------------

-- A match key and value for the array (or non-array, or NULL) arr:
-- mostly the key and value of an object element (sometimes with the value
-- written with another scale), otherwise missing values, values of other
-- types, missing keys, NULLs.
CREATE FUNCTION ivm_gen.match_for(arr jsonb, seed bigint,
	OUT match_key text, OUT match_value jsonb)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	elems jsonb[];
	e     jsonb;
	keys  text[];
	p     int := ivm_gen.pct(seed, 1);
BEGIN
	IF jsonb_typeof(arr) = 'array' THEN
		elems := ARRAY(SELECT elem FROM jsonb_array_elements(arr) WITH ORDINALITY AS x(elem, ord)
			WHERE jsonb_typeof(elem) = 'object' AND elem <> '{}' ORDER BY ord);
	END IF;
	IF cardinality(elems) > 0 THEN
		e := ivm_gen.pick(seed, 2, elems);
		keys := ARRAY(SELECT k FROM jsonb_object_keys(e) AS k ORDER BY k COLLATE "C");
		match_key := CASE WHEN ivm_gen.pct(seed, 3) < 75 AND e ? 'id' THEN 'id'
			ELSE ivm_gen.pick(seed, 4, keys) END;
		match_value := e -> match_key;
	ELSE
		match_key := 'id';
		match_value := ivm_gen.id_value(ivm_gen.rnd(seed, 5), 'mixed', 10);
	END IF;
	IF p < 62 THEN
		RETURN;                                        -- an existing value
	ELSIF p < 74 THEN
		match_value := ivm_gen.rescale(match_value);   -- 42 vs 42.0
	ELSIF p < 82 THEN
		match_value := ivm_gen.id_value(ivm_gen.rnd(seed, 6),
			ivm_gen.pick(seed, 7, ARRAY['int', 'numeric', 'uuid', 'string', 'object', 'mixed']),
			10000);                                    -- most likely missing
	ELSIF p < 89 THEN
		-- the same text, another type: "42" vs 42, [42] vs 42, ...
		match_value := CASE ivm_gen.ri(seed, 8, 0, 3)
			WHEN 0 THEN to_jsonb(match_value #>> '{}')
			WHEN 1 THEN jsonb_build_array(match_value)
			WHEN 2 THEN 'null'
			ELSE jsonb_build_object('id', match_value) END;
	ELSIF p < 93 THEN
		match_key := ivm_gen.missing_key(ivm_gen.rnd(seed, 9));
	ELSIF p < 96 THEN
		match_key := NULL;
	ELSE
		match_value := NULL;
	END IF;
END
$$;

-- A patch object for the object base (the element to update, the object
-- to merge into, or NULL): random keys, keys of base with the same or other
-- values, the same numbers with another scale, empty, big; and sometimes
-- not an object, or NULL.
CREATE FUNCTION ivm_gen.patch_for(base jsonb, seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p    int := ivm_gen.pct(seed, 1);
	b    jsonb := CASE WHEN jsonb_typeof(base) = 'object' THEN base ELSE '{}' END;
	keys text[] := ARRAY(SELECT k FROM jsonb_object_keys(b) AS k ORDER BY k COLLATE "C");
	o    jsonb := '{}';
	k    text;
BEGIN
	IF p < 6 THEN
		RETURN NULL;
	ELSIF p < 14 THEN
		RETURN ivm_gen.pick(seed, 2, ARRAY['[]', '[1]', '"x"', '1', '1.50', 'null',
			'true', '[{"a": 1}]', '[{}]', '""'])::jsonb;
	ELSIF p < 21 THEN
		RETURN '{}';
	ELSIF p < 26 THEN
		RETURN ivm_gen.obj(ivm_gen.rnd(seed, 3), 2);
	ELSIF p < 32 THEN
		-- big: crosses the offset stride
		FOR i IN 1 .. ivm_gen.ri(seed, 4, 17, 70) LOOP
			o := o || jsonb_build_object('k' || i::text, ivm_gen.scalar(ivm_gen.rnd(seed, 100 + i)));
		END LOOP;
		RETURN o;
	END IF;
	-- built from base: each key of base kept as is, rescaled, changed or left
	-- out, plus new keys
	FOR i IN 1 .. cardinality(keys) LOOP
		k := keys[i];
		IF p < 45 THEN
			-- identical values only: the result equals the input
			IF ivm_gen.pct(seed, 200 + i) < 60 THEN
				o := o || jsonb_build_object(k, b -> k);
			END IF;
		ELSIF p < 55 THEN
			-- the same numbers with another scale: equal, but other bytes
			o := o || jsonb_build_object(k, ivm_gen.rescale(b -> k));
		ELSE
			CASE ivm_gen.ri(seed, 300 + i, 0, 3)
			WHEN 0 THEN o := o || jsonb_build_object(k, b -> k);
			WHEN 1 THEN o := o || jsonb_build_object(k,
				ivm_gen.value(ivm_gen.rnd(seed, 400 + i), 1));
			ELSE NULL;  -- key left out
			END CASE;
		END IF;
	END LOOP;
	IF p >= 55 OR cardinality(keys) = 0 THEN
		FOR i IN 1 .. ivm_gen.ri(seed, 6, 0, 4) LOOP
			o := o || jsonb_build_object(ivm_gen.key(ivm_gen.rnd(seed, 500 + i)),
				ivm_gen.value(ivm_gen.rnd(seed, 600 + i), 1));
		END LOOP;
	END IF;
	RETURN o;
END
$$;

------------------------------------------------------------------------------
-- Test cases
------------------------------------------------------------------------------

-- Arguments of jsonb_array_update_where / jsonb_array_upsert_where.
CREATE TYPE ivm_gen.array_case AS (
	target      jsonb,
	array_path  text[],
	match_key   text,
	match_value jsonb,
	patch       jsonb,     -- updates, or element
	label       text       -- which path variant was drawn
);

-- Arguments of jsonb_merge_at_path.
CREATE TYPE ivm_gen.merge_case AS (
	target jsonb,
	source jsonb,
	path   text[],
	label  text
);

-- Arguments of jsonb_has_path_changed.
CREATE TYPE ivm_gen.changed_case AS (
	old   jsonb,
	new   jsonb,
	path  text[],
	label text             -- how new was made from old
);

-- A case on the document doc (see ivm_gen.doc) for jsonb_array_update_where
-- (upsert = false) or jsonb_array_upsert_where (upsert = true).
CREATE FUNCTION ivm_gen.array_case(doc jsonb, seed bigint, upsert boolean)
RETURNS ivm_gen.array_case
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c   ivm_gen.array_case;
	arr jsonb;
	e   jsonb;
BEGIN
	c.target := doc;
	SELECT f.path, f.label INTO c.array_path, c.label
		FROM ivm_gen.path_for(c.target, ivm_gen.rnd(seed, 2), 'array') f;
	arr := c.target #> c.array_path;
	SELECT m.match_key, m.match_value INTO c.match_key, c.match_value
		FROM ivm_gen.match_for(arr, ivm_gen.rnd(seed, 3)) m;
	-- the element that will match, when one does (else an empty object)
	IF jsonb_typeof(arr) = 'array' AND c.match_key IS NOT NULL AND c.match_value IS NOT NULL THEN
		e := (SELECT elem FROM jsonb_array_elements(arr) WITH ORDINALITY AS x(elem, ord)
			WHERE jsonb_typeof(elem) = 'object' AND elem -> c.match_key = c.match_value
			ORDER BY ord LIMIT 1);
	END IF;
	c.patch := ivm_gen.patch_for(e, ivm_gen.rnd(seed, 4));
	IF upsert AND jsonb_typeof(c.patch) = 'object' AND ivm_gen.pct(seed, 5) < 70 THEN
		-- an element usually carries the key it is matched on
		IF e IS NOT NULL AND ivm_gen.pct(seed, 6) < 50 THEN
			c.patch := e || c.patch;
		ELSIF c.match_key IS NOT NULL AND c.match_value IS NOT NULL THEN
			c.patch := c.patch || jsonb_build_object(c.match_key, c.match_value);
		END IF;
	END IF;
	IF ivm_gen.pct(seed, 7) < 3 THEN
		c.target := NULL;
	END IF;
	RETURN c;
END
$$;

-- A case on the document doc for jsonb_merge_at_path.
CREATE FUNCTION ivm_gen.merge_case(doc jsonb, seed bigint) RETURNS ivm_gen.merge_case
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c ivm_gen.merge_case;
BEGIN
	c.target := doc;
	SELECT f.path, f.label INTO c.path, c.label
		FROM ivm_gen.path_for(c.target, ivm_gen.rnd(seed, 2), 'object') f;
	c.source := ivm_gen.patch_for(c.target #> c.path, ivm_gen.rnd(seed, 3));
	IF ivm_gen.pct(seed, 4) < 3 THEN
		c.target := NULL;
	END IF;
	RETURN c;
END
$$;

-- A case for jsonb_has_path_changed: old is doc, new is doc changed
-- somewhere (or not at all, or only in the scale of numbers, or replaced by
-- other_doc), path is where it changed, near it, or elsewhere.
CREATE FUNCTION ivm_gen.changed_case(doc jsonb, other_doc jsonb, seed bigint)
RETURNS ivm_gen.changed_case
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c  ivm_gen.changed_case;
	p  int := ivm_gen.pct(seed, 1);
	q  int := ivm_gen.pct(seed, 2);
	at text[];
	np text[];
	j  int;
BEGIN
	c.old := doc;
	-- where the change goes (an object, for a merge)
	at := ivm_gen.existing_path(c.old, ivm_gen.rnd(seed, 4),
		CASE WHEN p >= 80 AND p < 86 THEN 'object' ELSE 'any' END);
	np := ivm_gen.normalize(c.old, at);
	IF p < 18 THEN
		c.label := 'same';
		c.new := c.old;
	ELSIF p < 43 THEN
		c.label := 'value replaced';
		c.new := CASE WHEN cardinality(np) = 0 THEN ivm_gen.value(ivm_gen.rnd(seed, 5), 1)
			ELSE jsonb_set(c.old, np, ivm_gen.value(ivm_gen.rnd(seed, 5), 1)) END;
	ELSIF p < 56 THEN
		c.label := 'rescaled';
		c.new := CASE WHEN cardinality(np) = 0 THEN ivm_gen.rescale(c.old)
			ELSE jsonb_set(c.old, np, ivm_gen.rescale(c.old #> np)) END;
	ELSIF p < 66 THEN
		c.label := 'removed';
		c.new := CASE WHEN jsonb_typeof(c.old) IN ('object', 'array') THEN c.old #- np
			ELSE c.old END;
	ELSIF p < 72 THEN
		c.label := 'set to null';
		c.new := CASE WHEN cardinality(np) = 0 THEN 'null'
			ELSE jsonb_set(c.old, np, 'null') END;
	ELSIF p < 80 THEN
		c.label := 'other document';
		c.new := other_doc;
	ELSIF p < 86 THEN
		c.label := 'merged';
		c.new := CASE WHEN jsonb_typeof(c.old #> np) <> 'object' THEN c.old
			WHEN cardinality(np) = 0 THEN c.old || ivm_gen.patch_for(c.old, ivm_gen.rnd(seed, 7))
			ELSE jsonb_set(c.old, np,
				(c.old #> np) || ivm_gen.patch_for(c.old #> np, ivm_gen.rnd(seed, 7))) END;
		-- (a patch that is NULL or not an object: no change)
		IF jsonb_typeof(c.new) IS DISTINCT FROM jsonb_typeof(c.old) OR c.new IS NULL THEN
			c.new := c.old;
		END IF;
	ELSIF p < 91 THEN
		c.label := 'old null';
		c.new := c.old;
		c.old := NULL;
	ELSIF p < 96 THEN
		c.label := 'new null';
		c.new := NULL;
	ELSE
		c.label := 'both null';
		c.new := NULL;
		c.old := NULL;
	END IF;
	-- the path
	IF q < 38 THEN
		c.path := at;
	ELSIF q < 40 THEN
		-- lower bound not 1
		c.path := CASE WHEN cardinality(at) = 0 THEN at
			ELSE (format('[%s:%s]=', -1, cardinality(at) - 2) || at::text)::text[] END;
	ELSIF q < 55 THEN
		c.path := at[1 : ivm_gen.ri(seed, 8, 0, greatest(cardinality(at) - 1, 0))];
	ELSIF q < 70 THEN
		c.path := ivm_gen.existing_path(coalesce(c.old, c.new), ivm_gen.rnd(seed, 9), 'any');
	ELSIF q < 78 THEN
		c.path := at || ivm_gen.pick(seed, 10, ARRAY['0', 'id', 'x', '-1', '', 'missing']);
	ELSIF q < 82 THEN
		c.path := '{}';
	ELSIF q < 88 THEN
		c.path := at;
		IF cardinality(at) > 0 THEN
			c.path[ivm_gen.ri(seed, 11, 1, cardinality(at))] :=
				ivm_gen.pick(seed, 12, ARRAY['x', '99', '-99', '1.0', '2147483648', ' 0', '0 ']);
		END IF;
	ELSIF q < 92 THEN
		j := ivm_gen.ri(seed, 13, 1, cardinality(at) + 1);
		c.path := at[1 : j - 1] || NULL::text || at[j:];
	ELSIF q < 96 THEN
		c.path := ivm_gen.two_d(at, ivm_gen.rnd(seed, 14));
	ELSIF q < 98 THEN
		c.path := NULL;
	ELSE
		c.path := ARRAY[ivm_gen.key(ivm_gen.rnd(seed, 15))];
	END IF;
	RETURN c;
END
$$;

------------------------------------------------------------------------------
-- Arguments and cases of the 0.2 functions
------------------------------------------------------------------------------

-- doc with the value at path (an existing path of doc, as drawn by path_for:
-- negative or spelled indexes allowed, one dimension, no NULL) replaced by
-- value; the empty path replaces the whole document.
CREATE FUNCTION ivm_gen.set_path(doc jsonb, path text[], value jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(cardinality($2), 0) = 0 THEN $3
	            ELSE jsonb_set($1, ivm_gen.normalize($1, $2), $3, false) END
$$;

-- The object elements of arr (NULL or not an array: none), in order.
CREATE FUNCTION ivm_gen.objects_of(arr jsonb) RETURNS jsonb[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY(SELECT elem FROM jsonb_array_elements(
		CASE WHEN jsonb_typeof($1) = 'array' THEN $1 ELSE '[]' END)
		WITH ORDINALITY AS x(elem, ord)
		WHERE jsonb_typeof(elem) = 'object' ORDER BY ord)
$$;

-- doc with every object of the array at path (an existing path, see
-- set_path) given 30 to 45 more keys "w1", "w2", ...: objects past the
-- 32-pair offset stride, where keys are found by binary search.
CREATE FUNCTION ivm_gen.widen(doc jsonb, path text[], seed bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof($1 #> $2) = 'array' THEN ivm_gen.set_path($1, $2, (
		SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(elem) = 'object'
			THEN elem || (SELECT jsonb_object_agg('w' || i, ivm_gen.scalar(ivm_gen.rnd($3, i)))
				FROM generate_series(1, ivm_gen.ri($3, 0, 30, 45)) AS i)
			ELSE elem END ORDER BY ord), '[]')
		FROM jsonb_array_elements($1 #> $2) WITH ORDINALITY AS x(elem, ord)))
	ELSE $1 END
$$;

-- Whether path can be followed by #> and set_path: not NULL, one
-- dimension, no NULL element.
CREATE FUNCTION ivm_gen.plain_path(path text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT $1 IS NOT NULL AND coalesce(array_ndims($1), 1) = 1
		AND array_position($1, NULL) IS NULL
$$;

-- A key of the objects of arr to sort or match by: mostly one they have
-- ('id' when there is one), sometimes one they lack.
CREATE FUNCTION ivm_gen.key_for(arr jsonb, seed bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	elems jsonb[] := ivm_gen.objects_of(arr);
	keys  text[];
BEGIN
	IF cardinality(elems) > 0 AND ivm_gen.pct(seed, 1) < 88 THEN
		keys := ARRAY(SELECT k FROM jsonb_object_keys(ivm_gen.pick(seed, 2, elems)) AS k
			ORDER BY k COLLATE "C");
		IF cardinality(keys) > 0 THEN
			RETURN CASE WHEN 'id' = ANY (keys) AND ivm_gen.pct(seed, 3) < 50 THEN 'id'
				ELSE ivm_gen.pick(seed, 4, keys) END;
		END IF;
	END IF;
	RETURN CASE WHEN ivm_gen.pct(seed, 5) < 60 THEN 'id'
		ELSE ivm_gen.missing_key(ivm_gen.rnd(seed, 6)) END;
END
$$;

-- A value of any jsonb type to sort or match by, near the values the
-- objects of arr have at key: one of them (the same, or rescaled: equal but
-- other bytes), a value of every type (null, strings, numbers, booleans,
-- empty and non-empty arrays and objects: [] sorts before null), or NULL
-- (the key left out).
CREATE FUNCTION ivm_gen.value_near(arr jsonb, key text, seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p    int := ivm_gen.pct(seed, 1);
	vals jsonb[] := ARRAY(SELECT e -> key FROM unnest(ivm_gen.objects_of(arr)) AS e
		WHERE e ? key);
BEGIN
	IF p < 45 AND cardinality(vals) > 0 THEN
		RETURN ivm_gen.pick(seed, 2, vals);
	ELSIF p < 55 AND cardinality(vals) > 0 THEN
		RETURN ivm_gen.rescale(ivm_gen.pick(seed, 2, vals));
	ELSIF p < 70 THEN
		RETURN ivm_gen.id_value(ivm_gen.rnd(seed, 3), ivm_gen.pick(seed, 4, ARRAY['int',
			'numeric', 'uuid', 'bool', 'null', 'string', 'object', 'array']), 20);
	ELSIF p < 85 THEN
		RETURN ivm_gen.scalar(ivm_gen.rnd(seed, 5));
	ELSIF p < 93 THEN
		RETURN ivm_gen.pick(seed, 6, ARRAY['[]', '{}', 'null', '""', '[null]', '[1]',
			'[1, 2]', '[[]]', '{"a": 1}', '{"a": null}', 'true', 'false', '0', '-0.0'])::jsonb;
	END IF;
	RETURN NULL;
END
$$;

-- arr sorted by the values at key (jsonb ordering; elements without it as
-- NULLs: last ascending, first descending), ties in their order.
CREATE FUNCTION ivm_gen.sort_by(arr jsonb, key text, descending boolean) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_agg(elem ORDER BY
		CASE WHEN NOT $3 THEN CASE WHEN jsonb_typeof(elem) = 'object' THEN elem -> $2 END END
			ASC NULLS LAST,
		CASE WHEN $3 THEN CASE WHEN jsonb_typeof(elem) = 'object' THEN elem -> $2 END END
			DESC NULLS FIRST,
		ord), '[]')
	FROM jsonb_array_elements($1) WITH ORDINALITY AS x(elem, ord)
$$;

-- Arguments of jsonb_array_insert_where.
CREATE TYPE ivm_gen.insert_case AS (
	target     jsonb,
	array_path text[],
	element    jsonb,
	sort_key   text,
	descending boolean,
	label      text        -- which path variant was drawn
);

-- A case on the document doc for jsonb_array_insert_where: the array is
-- sorted by the sort key half of the time (as an application keeps it),
-- the element carries a sort value of any type or none; sometimes no sort
-- key (append), a NULL descending, a NULL element or one that is not an
-- object.
CREATE FUNCTION ivm_gen.insert_case(doc jsonb, seed bigint) RETURNS ivm_gen.insert_case
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c   ivm_gen.insert_case;
	arr jsonb;
	v   jsonb;
	q   int := ivm_gen.pct(seed, 5);
BEGIN
	c.target := doc;
	SELECT f.path, f.label INTO c.array_path, c.label
		FROM ivm_gen.path_for(c.target, ivm_gen.rnd(seed, 2), 'array') f;
	IF ivm_gen.plain_path(c.array_path) THEN
		IF ivm_gen.pct(seed, 11) < 8 THEN
			c.target := ivm_gen.widen(c.target, c.array_path, ivm_gen.rnd(seed, 12));
		END IF;
		arr := c.target #> c.array_path;
	END IF;
	c.sort_key := CASE WHEN ivm_gen.pct(seed, 3) < 10 THEN NULL
		ELSE ivm_gen.key_for(arr, ivm_gen.rnd(seed, 4)) END;
	c.descending := CASE WHEN q < 45 THEN true WHEN q < 98 THEN false END;
	IF jsonb_typeof(arr) = 'array' AND c.sort_key IS NOT NULL
		AND ivm_gen.pct(seed, 6) < 50
	THEN
		arr := ivm_gen.sort_by(arr, c.sort_key, coalesce(c.descending, false));
		c.target := ivm_gen.set_path(c.target, c.array_path, arr);
	END IF;
	-- the element: like one of the array's objects (or a random object)
	c.element := ivm_gen.patch_for(ivm_gen.pick(seed, 7,
		ivm_gen.objects_of(arr) || '{}'::jsonb), ivm_gen.rnd(seed, 8));
	IF jsonb_typeof(c.element) = 'object' AND c.sort_key IS NOT NULL THEN
		v := ivm_gen.value_near(arr, c.sort_key, ivm_gen.rnd(seed, 9));
		c.element := CASE WHEN v IS NULL THEN c.element - c.sort_key
			ELSE c.element || jsonb_build_object(c.sort_key, v) END;
	END IF;
	IF ivm_gen.pct(seed, 10) < 3 THEN
		c.target := NULL;
	END IF;
	RETURN c;
END
$$;

-- Arguments of jsonb_array_update_where_batch.
CREATE TYPE ivm_gen.batch_case AS (
	target     jsonb,
	array_path text[],
	match_key  text,
	patches    jsonb,
	label      text        -- which path variant was drawn
);

-- Patches for a batch update of arr by key: each carries a key value
-- that some element has (the same, or rescaled), that an earlier patch has
-- (duplicates, combined in order; sometimes all of them), or that none
-- has; and fields like patch_for's.  Mostly 1..6 patches, sometimes up to
-- 40 (across the offset stride of the patches array); sometimes none, NULL,
-- not an array, one patch that is not an object or lacks the key.
CREATE FUNCTION ivm_gen.patches_for(arr jsonb, key text, seed bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	p     int := ivm_gen.pct(seed, 1);
	elems jsonb[] := ivm_gen.objects_of(arr);
	kvals jsonb[] := '{}';
	out   jsonb := '[]';
	e     jsonb;
	v     jsonb;
	patch jsonb;
	m     int;
	q     int;
	j     int;
	same  boolean;
BEGIN
	IF p < 4 THEN
		RETURN NULL;
	ELSIF p < 9 THEN
		RETURN ivm_gen.pick(seed, 2, ARRAY['{}', '{"id": 1}', '1', '"x"', 'null', 'true',
			'"[]"'])::jsonb;
	ELSIF p < 13 THEN
		RETURN '[]';
	END IF;
	m := CASE WHEN ivm_gen.pct(seed, 3) < 88 THEN ivm_gen.ri(seed, 4, 1, 6)
		ELSE ivm_gen.ri(seed, 4, 7, 40) END;
	-- sometimes every patch for the same element
	same := ivm_gen.pct(seed, 9) < 6;
	FOR i IN 1 .. m LOOP
		q := CASE WHEN same AND i > 1 THEN 70 ELSE ivm_gen.pct(seed, 100 + i) END;
		e := NULL;
		IF q < 60 AND cardinality(elems) > 0 THEN
			e := ivm_gen.pick(seed, 200 + i, elems);
			v := e -> key;
			IF v IS NOT NULL AND ivm_gen.pct(seed, 300 + i) < 20 THEN
				v := ivm_gen.rescale(v);
			END IF;
		ELSIF q < 75 AND cardinality(kvals) > 0 THEN
			v := ivm_gen.pick(seed, 400 + i, kvals);
		ELSE
			v := ivm_gen.value_near(arr, key, ivm_gen.rnd(seed, 500 + i));
		END IF;
		v := coalesce(v, ivm_gen.id_value(ivm_gen.rnd(seed, 600 + i), 'mixed', 10));
		patch := ivm_gen.patch_for(e, ivm_gen.rnd(seed, 700 + i));
		IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
			patch := '{}';
		END IF;
		patch := patch || jsonb_build_object(key, v);
		kvals := kvals || v;
		out := out || jsonb_build_array(patch);
	END LOOP;
	IF ivm_gen.pct(seed, 5) < 6 THEN
		-- one bad patch
		j := ivm_gen.ri(seed, 6, 0, m - 1);
		out := jsonb_set(out, ARRAY[j::text], CASE WHEN ivm_gen.pct(seed, 7) < 50
			THEN (out -> j) - key
			ELSE ivm_gen.pick(seed, 8, ARRAY['1', '"id"', '[]', 'null', '[{"id": 1}]'])::jsonb END);
	END IF;
	RETURN out;
END
$$;

-- A case on the document doc for jsonb_array_update_where_batch.
CREATE FUNCTION ivm_gen.batch_case(doc jsonb, seed bigint) RETURNS ivm_gen.batch_case
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c   ivm_gen.batch_case;
	arr jsonb;
BEGIN
	c.target := doc;
	SELECT f.path, f.label INTO c.array_path, c.label
		FROM ivm_gen.path_for(c.target, ivm_gen.rnd(seed, 2), 'array') f;
	IF ivm_gen.plain_path(c.array_path) THEN
		IF ivm_gen.pct(seed, 7) < 8 THEN
			c.target := ivm_gen.widen(c.target, c.array_path, ivm_gen.rnd(seed, 8));
		END IF;
		arr := c.target #> c.array_path;
	END IF;
	c.match_key := CASE WHEN ivm_gen.pct(seed, 3) < 3 THEN NULL
		ELSE ivm_gen.key_for(arr, ivm_gen.rnd(seed, 4)) END;
	c.patches := ivm_gen.patches_for(arr, coalesce(c.match_key, 'id'), ivm_gen.rnd(seed, 5));
	IF ivm_gen.pct(seed, 6) < 3 THEN
		c.target := NULL;
	END IF;
	RETURN c;
END
$$;

-- A case on the document doc for jsonb_array_delete_where: the match of
-- jsonb_array_update_where's cases (patch unused), sometimes in an array
-- of wide objects.
CREATE FUNCTION ivm_gen.delete_case(doc jsonb, seed bigint) RETURNS ivm_gen.array_case
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c ivm_gen.array_case := ivm_gen.array_case(doc, seed, false);
BEGIN
	c.patch := NULL;
	IF ivm_gen.pct(seed, 101) < 8 AND c.target IS NOT NULL
		AND ivm_gen.plain_path(c.array_path)
	THEN
		c.target := ivm_gen.widen(c.target, c.array_path, ivm_gen.rnd(seed, 102));
	END IF;
	RETURN c;
END
$$;

-- A subset of v: objects keep some of their keys (at every depth), with
-- the same values; anything else stays as it is.  Deep-merged or
-- merge-patched into v, it changes nothing (unless v holds JSON nulls, for
-- a merge patch).
CREATE FUNCTION ivm_gen.subset(v jsonb, seed bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof($1) = 'object' THEN coalesce((
		SELECT jsonb_object_agg(key, ivm_gen.subset(value, ivm_gen.rnd($2, ord::int)))
		FROM jsonb_each($1) WITH ORDINALITY AS e(key, value, ord)
		WHERE ivm_gen.pct($2, 1000 + ord::int) < 60), '{}')
	ELSE $1 END
$$;

-- An object whose values are JSON nulls, scalars and such objects again,
-- up to depth levels deep: what a merge patch must clean of its nulls when
-- it creates a key.
CREATE FUNCTION ivm_gen.null_obj(seed bigint, depth int) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	o jsonb := '{}';
	p int;
BEGIN
	FOR i IN 1 .. ivm_gen.ri(seed, 1, 0, 4) LOOP
		p := ivm_gen.pct(seed, 100 + i);
		o := o || jsonb_build_object(ivm_gen.key(ivm_gen.rnd(seed, 200 + i)), CASE
			WHEN p < 35 THEN 'null'
			WHEN p < 60 OR depth <= 0 THEN ivm_gen.scalar(ivm_gen.rnd(seed, 300 + i))
			WHEN p < 70 THEN ivm_gen.value(ivm_gen.rnd(seed, 300 + i), 1)
			ELSE ivm_gen.null_obj(ivm_gen.rnd(seed, 400 + i), depth - 1) END);
	END LOOP;
	RETURN o;
END
$$;

-- An object to deep-merge or merge-patch into base (any value): for each
-- key of base (when it is an object) left out, the same value, the value
-- rescaled (equal, other bytes), an overlay of its value (recursively, at
-- every depth), a new value of any type, a JSON null (when nulls), or an
-- object holding nulls; plus new keys.
CREATE FUNCTION ivm_gen.overlay(base jsonb, seed bigint, depth int, nulls boolean)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	o    jsonb := '{}';
	keys text[];
	k    text;
	v    jsonb;
	p    int := ivm_gen.pct(seed, 1);
BEGIN
	IF jsonb_typeof(base) = 'object' THEN
		keys := ARRAY(SELECT x FROM jsonb_object_keys(base) AS x ORDER BY x COLLATE "C");
		FOR i IN 1 .. cardinality(keys) LOOP
			k := keys[i];
			v := base -> k;
			CASE ivm_gen.ri(seed, 100 + i, 0, 11)
			WHEN 0, 1, 2 THEN
				CONTINUE;
			WHEN 3 THEN
				NULL;
			WHEN 4 THEN
				v := ivm_gen.rescale(v);
			WHEN 5, 6, 7 THEN
				v := CASE WHEN depth > 0 AND jsonb_typeof(v) = 'object'
					THEN ivm_gen.overlay(v, ivm_gen.rnd(seed, 200 + i), depth - 1, nulls)
					ELSE ivm_gen.value(ivm_gen.rnd(seed, 200 + i), 1) END;
			WHEN 8 THEN
				v := ivm_gen.value(ivm_gen.rnd(seed, 300 + i), 2);
			WHEN 9 THEN
				v := CASE WHEN nulls THEN 'null' ELSE ivm_gen.scalar(ivm_gen.rnd(seed, 400 + i)) END;
			ELSE
				v := ivm_gen.null_obj(ivm_gen.rnd(seed, 500 + i), depth);
			END CASE;
			o := o || jsonb_build_object(k, v);
		END LOOP;
	END IF;
	-- new keys (also keys of base: the pool is small)
	FOR i IN 1 .. CASE WHEN p < 30 THEN 0 ELSE ivm_gen.ri(seed, 2, 1, 4) END LOOP
		p := ivm_gen.pct(seed, 600 + i);
		o := o || jsonb_build_object(ivm_gen.key(ivm_gen.rnd(seed, 700 + i)), CASE
			WHEN p < 40 THEN ivm_gen.value(ivm_gen.rnd(seed, 800 + i), 1)
			WHEN p < 65 THEN ivm_gen.null_obj(ivm_gen.rnd(seed, 900 + i), depth)
			WHEN p < 80 AND nulls THEN 'null'
			ELSE ivm_gen.scalar(ivm_gen.rnd(seed, 1000 + i)) END);
	END LOOP;
	RETURN o;
END
$$;

-- Arguments of jsonb_deep_merge and jsonb_merge_patch.
CREATE TYPE ivm_gen.doc_case AS (
	target jsonb,
	source jsonb,          -- source, or patch
	label  text            -- what the source was made of
);

-- A case on the document doc for jsonb_deep_merge (nulls = false: the
-- overlays hold JSON nulls only sometimes) or jsonb_merge_patch (nulls =
-- true: JSON nulls at every depth); other_doc is another document.
CREATE FUNCTION ivm_gen.doc_case(doc jsonb, other_doc jsonb, seed bigint, nulls boolean)
RETURNS ivm_gen.doc_case
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c ivm_gen.doc_case;
	p int := ivm_gen.pct(seed, 1);
	n boolean := nulls OR ivm_gen.pct(seed, 2) < 30;
BEGIN
	c.target := doc;
	IF p < 62 THEN
		c.label := 'overlay';
		c.source := ivm_gen.overlay(doc, ivm_gen.rnd(seed, 3), 4, n);
	ELSIF p < 66 THEN
		c.label := 'same';
		c.source := doc;
	ELSIF p < 70 THEN
		c.label := 'subset';
		c.source := ivm_gen.subset(doc, ivm_gen.rnd(seed, 8));
	ELSIF p < 73 THEN
		c.label := 'rescaled';
		c.source := ivm_gen.rescale(doc);
	ELSIF p < 78 THEN
		c.label := 'other document';
		c.source := other_doc;
	ELSIF p < 82 THEN
		c.label := 'empty';
		c.source := '{}';
	ELSIF p < 88 THEN
		c.label := 'nulls';
		c.source := ivm_gen.null_obj(ivm_gen.rnd(seed, 4), 4);
	ELSIF p < 94 THEN
		c.label := 'not an object';
		c.source := CASE WHEN ivm_gen.pct(seed, 5) < 50 THEN ivm_gen.value(ivm_gen.rnd(seed, 6), 1)
			ELSE ivm_gen.pick(seed, 7, ARRAY['null', '[]', '[{}]', '"x"', '0', 'true'])::jsonb END;
	ELSIF p < 97 THEN
		c.label := 'null source';
		c.source := NULL;
	ELSE
		c.label := 'null target';
		c.source := ivm_gen.overlay(doc, ivm_gen.rnd(seed, 3), 4, n);
		c.target := NULL;
	END IF;
	RETURN c;
END
$$;

------------------------------------------------------------------------------
-- Speed
------------------------------------------------------------------------------

-- The queries inside these functions take parameters; with the default
-- plan_cache_mode the plan cache keeps re-planning them (custom plans),
-- which costs far more than running them.  Generic plans give the same
-- results, faster.
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
		WHERE p.pronamespace = 'ivm_gen'::regnamespace AND l.lanname = 'plpgsql'
		ORDER BY p.oid
	LOOP
		EXECUTE format('ALTER FUNCTION %s SET plan_cache_mode = force_generic_plan', f);
	END LOOP;
END
$$;
