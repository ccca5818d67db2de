/* jsonb_ivm.sql: the current version; the build copies it to jsonb_ivm--<version>.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION jsonb_ivm" to load this file. \quit

-- None of these functions is STRICT: a NULL target gives NULL, a NULL path
-- or key is an error, and a NULL value argument (match_value, updates,
-- source, element) returns the target unchanged instead of wiping it.

CREATE FUNCTION jsonb_array_update_where(target jsonb, array_path text[],
	match_key text, match_value jsonb, updates jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_update_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_update_where(jsonb, text[], text, jsonb, jsonb) IS
'shallow-merge updates into the first object of the array at array_path whose match_key equals match_value';

CREATE FUNCTION jsonb_merge_at_path(target jsonb, source jsonb, path text[])
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_merge_at_path'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_merge_at_path(jsonb, jsonb, text[]) IS
'shallow-merge the object source into the object at path, creating missing keys';

CREATE FUNCTION jsonb_has_path_changed(old jsonb, new jsonb, path text[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'jsonb_has_path_changed'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_has_path_changed(jsonb, jsonb, text[]) IS
'whether the values at path differ between two documents, by jsonb equality';

CREATE FUNCTION jsonb_array_upsert_where(target jsonb, array_path text[],
	match_key text, match_value jsonb, element jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_upsert_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_upsert_where(jsonb, text[], text, jsonb, jsonb) IS
'replace the first object of the array at array_path whose match_key equals match_value by element, or append element';

-- Since 0.2.
CREATE FUNCTION jsonb_array_delete_where(target jsonb, array_path text[],
	match_key text, match_value jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_delete_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_delete_where(jsonb, text[], text, jsonb) IS
'remove every object of the array at array_path whose match_key equals match_value';

-- sort_key NULL means append; a NULL descending is an error.
CREATE FUNCTION jsonb_array_insert_where(target jsonb, array_path text[],
	element jsonb, sort_key text DEFAULT NULL, descending boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_insert_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_insert_where(jsonb, text[], jsonb, text, boolean) IS
'insert element into the array at array_path keeping it ordered by sort_key, or append it';

CREATE FUNCTION jsonb_array_update_where_batch(target jsonb, array_path text[],
	match_key text, patches jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_update_where_batch'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_update_where_batch(jsonb, text[], text, jsonb) IS
'shallow-merge each patch into every object of the array at array_path whose match_key equals the patch''s';

CREATE FUNCTION jsonb_deep_merge(target jsonb, source jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_deep_merge'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_deep_merge(jsonb, jsonb) IS
'merge source into target, objects recursively; anything else in source replaces';

CREATE FUNCTION jsonb_merge_patch(target jsonb, patch jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_merge_patch'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_merge_patch(jsonb, jsonb) IS
'apply an RFC 7386 JSON Merge Patch: objects merge, a null removes the key';

-- Since 0.3.
CREATE FUNCTION jsonb_ivm_identical(a jsonb, b jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'jsonb_ivm_identical'
LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: two NULLs are identical

COMMENT ON FUNCTION jsonb_ivm_identical(jsonb, jsonb) IS
'whether two documents are stored with the same bytes, so that they print identically';

-- Not STRICT: a NULL value is JSON null, as for jsonb_ivm_set_at_path.
CREATE FUNCTION jsonb_ivm_identical_at(target jsonb, path text[], value jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'jsonb_ivm_identical_at'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION jsonb_ivm_identical_at(jsonb, text[], jsonb) IS
'whether the value at path is stored exactly as value: jsonb_ivm_set_at_path would change nothing';

-- Not STRICT: a NULL source merges nothing, as for jsonb_merge_at_path.
CREATE FUNCTION jsonb_ivm_identical_merge(target jsonb, source jsonb, path text[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'jsonb_ivm_identical_merge'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION jsonb_ivm_identical_merge(jsonb, jsonb, text[]) IS
'whether merging source at path stores every key exactly as it is: jsonb_merge_at_path would change nothing';

-- NULL where an old element is missing or repeated: the caller recomputes.
CREATE FUNCTION jsonb_ivm_array_replace(target jsonb, array_path text[],
	olds jsonb, news jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_ivm_array_replace'
LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: a NULL target gives NULL, a NULL path is an error

COMMENT ON FUNCTION jsonb_ivm_array_replace(jsonb, text[], jsonb, jsonb) IS
'replace each element of the array at array_path stored exactly as olds[i] by news[i], or NULL if one is not there exactly once';

-- empty is what the query gives for an empty array, total the length the
-- array must end with.  NULL where an old element is missing or repeated,
-- a position does not fit, the array would end with another length than
-- total, or it would be empty and empty is NULL: the caller recomputes.
CREATE FUNCTION jsonb_ivm_array_splice(target jsonb, array_path text[],
	olds jsonb, positions integer[], news jsonb, empty jsonb, total integer)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_ivm_array_splice'
LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: a NULL target gives NULL, a NULL path is an error

COMMENT ON FUNCTION jsonb_ivm_array_splice(jsonb, text[], jsonb, integer[], jsonb, jsonb, integer) IS
'remove from the array at array_path the elements stored exactly as olds, then insert news at the final indexes positions; an empty array is stored as empty';

-- Not STRICT: a NULL value sets JSON null, as jsonb_build_object does; a
-- NULL target gives NULL, a NULL path is an error.
CREATE FUNCTION jsonb_ivm_set_at_path(target jsonb, path text[], value jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_ivm_set_at_path'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_ivm_set_at_path(jsonb, text[], jsonb) IS
'set the value at path (adding a missing last key), splicing it into the stored document';

CREATE FUNCTION jsonb_ivm_check_snapshot(query text, arg anyarray)
RETURNS void
AS 'MODULE_PATHNAME', 'jsonb_ivm_check_snapshot'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION jsonb_ivm_check_snapshot(text, anyarray) IS
'under REPEATABLE READ or SERIALIZABLE, a serialization failure when the rows a query ($1 = arg) returns differ under the latest snapshot';

-------------------------------------------------------------------------
-- Projections: a table kept equal to a query by generated triggers
-------------------------------------------------------------------------

-- relations, names: the description names relations[i] as schema
-- names[2i - 1], table names[2i] (the shards of a Citus shard group), and
-- includes the query so renamed ("definition"; the query's names must all
-- be schema-qualified, as a view's definition deparsed with search_path =
-- pg_catalog is).
CREATE FUNCTION jsonb_ivm_analyze_projection(query text,
	relations oid[] DEFAULT NULL, names text[] DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_ivm_analyze_projection'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION jsonb_ivm_analyze_projection(text, oid[], text[]) IS
'the tables a projection query reads and how each reaches the root table, or an error naming what is not supported';

-- The definitions.  Objects are named, not referenced by OID, so that a
-- dump restores them: the projection table, its definition view and the
-- generated functions all live in schema_name.
CREATE TABLE jsonb_ivm_projection (
	schema_name name NOT NULL,
	table_name name NOT NULL,
	query text NOT NULL,
	definition_view name NOT NULL,
	key_column name NOT NULL,
	sources jsonb NOT NULL,
	functions name[] NOT NULL,
	PRIMARY KEY (schema_name, table_name)
);

COMMENT ON TABLE jsonb_ivm_projection IS
'projection definitions, written by jsonb_ivm_create_projection';

SELECT pg_catalog.pg_extension_config_dump('jsonb_ivm_projection', '');

-- Anyone may create projections; a role sees and changes the definitions
-- of the projection tables it owns only.
ALTER TABLE jsonb_ivm_projection ENABLE ROW LEVEL SECURITY;
CREATE POLICY jsonb_ivm_projection_owner ON jsonb_ivm_projection
	USING (pg_catalog.pg_has_role(CURRENT_USER,
		(SELECT c.relowner FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = schema_name AND c.relname = table_name), 'USAGE'));
GRANT SELECT, INSERT, DELETE ON jsonb_ivm_projection TO PUBLIC;

-- Inside an sql_drop event trigger: delete the definitions of the
-- projections whose table or definition view the command dropped, and
-- return them.  SECURITY DEFINER because the catalog's policy hides the
-- row of a table that no longer exists from everyone; it touches the rows
-- of the objects the command dropped only (pg_event_trigger_dropped_objects()
-- fails outside an event trigger), which their owner could read.
CREATE FUNCTION jsonb_ivm_forget_dropped()
RETURNS SETOF jsonb_ivm_projection
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	DELETE FROM @extschema@.jsonb_ivm_projection p
	USING pg_event_trigger_dropped_objects() d
	WHERE d.schema_name = p.schema_name
		AND (d.object_type = 'table' AND d.object_name = p.table_name
			OR d.object_type = 'view' AND d.object_name = p.definition_view)
	RETURNING p.*
$$;

COMMENT ON FUNCTION jsonb_ivm_forget_dropped() IS
'in an sql_drop event trigger: delete and return the definitions of the projections whose table or definition view the command dropped';

-- A projection table or definition view dropped otherwise than by
-- jsonb_ivm_drop_projection (DROP ... CASCADE of the table, its schema or
-- a table its query reads; DROP OWNED): the projection goes as a whole,
-- its definition, definition view, generated functions with the triggers
-- that call them, and table (CASCADE: with the projections that read it),
-- dropped with the rights of the role that ran the command.
CREATE FUNCTION jsonb_ivm_dropped()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p @extschema@.jsonb_ivm_projection;
	f name;
BEGIN
	FOR p IN SELECT * FROM @extschema@.jsonb_ivm_forget_dropped() LOOP
		BEGIN
			-- on Citus, the sources' triggers call jsonb_ivm_shard_trigger
			PERFORM @extschema@.jsonb_ivm_drop_source_triggers(p);
			IF to_regclass(format('%I.%I', p.schema_name, p.definition_view)) IS NOT NULL THEN
				EXECUTE format('DROP VIEW %I.%I', p.schema_name, p.definition_view);
			END IF;
			FOREACH f IN ARRAY p.functions LOOP
				IF to_regproc(format('%I.%I', p.schema_name, f)) IS NOT NULL THEN
					EXECUTE format('DROP FUNCTION %I.%I CASCADE', p.schema_name, f);
				END IF;
			END LOOP;
			IF to_regclass(format('%I.%I', p.schema_name, p.table_name)) IS NOT NULL THEN
				EXECUTE format('DROP TABLE %I.%I CASCADE', p.schema_name, p.table_name);
			END IF;
		EXCEPTION WHEN insufficient_privilege THEN
			-- the command dropped, by CASCADE, what another role's
			-- projection reads: the rest of that projection is not the
			-- caller's to drop
			RAISE EXCEPTION 'must be owner of projection %', format('%I.%I', p.schema_name, p.table_name)
				USING ERRCODE = 'insufficient_privilege',
				DETAIL = format('The command drops what the projection reads, so it drops the projection too: %s.', SQLERRM),
				HINT = 'Its owner can drop it first with jsonb_ivm_drop_projection().';
		END;
	END LOOP;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_dropped() IS
'event trigger: a projection whose table or definition view a command dropped goes as a whole';

CREATE EVENT TRIGGER jsonb_ivm_dropped ON sql_drop
	EXECUTE FUNCTION jsonb_ivm_dropped();

CREATE VIEW jsonb_ivm_projections AS
SELECT p.schema_name, p.table_name AS projection, p.key_column,
	p.query, p.definition_view,
	ARRAY(SELECT DISTINCT pg_catalog.format('%I.%I', s->>'schema', s->>'table')
		FROM pg_catalog.jsonb_array_elements(p.sources) s ORDER BY 1) AS source_tables,
	p.functions
FROM @extschema@.jsonb_ivm_projection p
-- the catalog's policy, which a view owned by a superuser would bypass
WHERE pg_catalog.pg_has_role(CURRENT_USER,
	(SELECT c.relowner FROM pg_catalog.pg_class c
	 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname = p.schema_name AND c.relname = p.table_name), 'USAGE');

COMMENT ON VIEW jsonb_ivm_projections IS
'the projections: their query, source tables and generated trigger functions';

GRANT SELECT ON jsonb_ivm_projections TO PUBLIC;

-- Statement-level BEFORE trigger on every projection table: only the
-- generated functions write a projection.  They set the transaction-local
-- setting jsonb_ivm.maintenance around their writes.  This stops mistakes,
-- not a determined owner (who may disable triggers anyway): the privileges
-- on the projection table are the access control.
CREATE FUNCTION jsonb_ivm_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'jsonb_ivm_guard'
LANGUAGE C;

COMMENT ON FUNCTION jsonb_ivm_guard() IS
'trigger: refuse direct writes to a projection table';

-- On Citus: the trigger of a distributed projection's source tables,
-- which Citus creates on every shard; it runs the generated functions of
-- the projection's shards on the node (see jsonb_ivm_citus_maintenance).
CREATE FUNCTION jsonb_ivm_shard_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'jsonb_ivm_shard_trigger'
LANGUAGE C;

COMMENT ON FUNCTION jsonb_ivm_shard_trigger() IS
'trigger on Citus: run the generated functions of the projection shards a change of this shard reaches';

-- The catalog row of a projection, by (possibly qualified) name.
-- Not SET search_path: an unqualified name is looked up in the caller's.
CREATE FUNCTION jsonb_ivm_projection_row(projection text)
RETURNS @extschema@.jsonb_ivm_projection
LANGUAGE plpgsql STABLE
AS $$
DECLARE
	parts text[] := pg_catalog.parse_ident(projection);
	r @extschema@.jsonb_ivm_projection;
BEGIN
	IF pg_catalog.cardinality(parts) = 1 THEN
		SELECT * INTO r FROM @extschema@.jsonb_ivm_projection p
		WHERE p.table_name OPERATOR(pg_catalog.=) parts[1]
			AND p.schema_name OPERATOR(pg_catalog.=) ANY (pg_catalog.current_schemas(false))
		ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(false), p.schema_name) LIMIT 1;
	ELSE
		SELECT * INTO r FROM @extschema@.jsonb_ivm_projection p
		WHERE p.schema_name OPERATOR(pg_catalog.=) parts[1]
			AND p.table_name OPERATOR(pg_catalog.=) parts[2];
	END IF;
	IF r.table_name IS NULL THEN
		RAISE EXCEPTION 'projection "%" does not exist', projection
			USING ERRCODE = 'undefined_table';
	END IF;
	RETURN r;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_projection_row(text) IS
'the definition of a projection, found by name as the search path finds tables';

-- Generators.  Each returns SQL text built with format(): %I for every
-- identifier, %L for every literal.  The nodes are those of
-- jsonb_ivm_analyze_projection: node 0 is the root table; every other
-- node's rows reach the node "up" by col = up.up_col.

-- The joins from rows of node i (aliased start) up to the root, each
-- node k joined as ek, and the expression of the document key they lead to.
CREATE FUNCTION jsonb_ivm_doc_key_sql(nodes jsonb, i integer,
	OUT joins text, OUT doc_key text, start text DEFAULT 'n')
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n jsonb := nodes->i;
	up jsonb;
	alias text := start;
BEGIN
	joins := '';
	WHILE (n->>'up')::integer >= 0 LOOP
		up := nodes->((n->>'up')::integer);
		IF (n->>'up')::integer = 0 AND n->>'up_col' = up->>'col' THEN
			doc_key := format('%s.%I', alias, n->>'col');
			RETURN;
		END IF;
		-- node k is joined as ek, the name element expressions give it
		joins := joins || format(E'\n\t\t\tJOIN %I.%I e%s ON e%s.%I = %s.%I',
			up->>'schema', up->>'table', n->>'up', n->>'up', n->>'up_col', alias, n->>'col');
		alias := 'e' || (n->>'up');
		n := up;
	END LOOP;
	doc_key := format('%s.%I', alias, n->>'col');
END
$$;

COMMENT ON FUNCTION jsonb_ivm_doc_key_sql(jsonb, integer, text) IS
'generator: the joins from the rows of a source node to the key of their document';

-- A query for the keys of the documents that rows of node i (read from
-- rows, a FROM item) belong to: joined up to the root.
CREATE FUNCTION jsonb_ivm_keys_sql(nodes jsonb, i integer, rows text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k record := @extschema@.jsonb_ivm_doc_key_sql(nodes, i);
BEGIN
	RETURN format('SELECT %s FROM %s n%s', k.doc_key, rows, k.joins);
END
$$;

COMMENT ON FUNCTION jsonb_ivm_keys_sql(jsonb, integer, text) IS
'generator: the keys of the documents that rows of a source node belong to';

-- The statement lock, a PERFORM ... FOR <strength> without its semicolon,
-- as generated code runs it.  Under REPEATABLE READ and SERIALIZABLE, a
-- lock that has to wait for a concurrent transaction is still taken, but
-- then raises a serialization failure: that transaction may have changed
-- which rows the maintenance must patch (a new link, a row moved), and this
-- transaction's snapshot cannot see it.  A row the other transaction
-- updated raises the same error in core already; one it only locked does
-- not, and SERIALIZABLE's own detection sees serializable transactions
-- only.  The function that runs it declares rr, true at both levels.
CREATE FUNCTION jsonb_ivm_lock_sql(lock text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $sql$
SELECT format($f$		IF rr THEN
			BEGIN
				%1$s NOWAIT;
			EXCEPTION WHEN lock_not_available THEN
				%1$s;
				RAISE EXCEPTION 'could not serialize access due to concurrent update'
					USING ERRCODE = 'serialization_failure',
					DETAIL = 'A concurrent transaction locked rows that the maintenance of a projection reads.';
			END;
		ELSE
			%1$s;
		END IF;
$f$, lock)
$sql$;

COMMENT ON FUNCTION jsonb_ivm_lock_sql(text) IS
'generator: a lock taken by generated code, a serialization failure under REPEATABLE READ or SERIALIZABLE when it waits';

-- Statements that lock FOR SHARE the rows of node d whose col is among
-- vals, and below them their own linked rows: a trigger copies from them,
-- so a concurrent change of one of them must end before it reads, or
-- start after this transaction.
CREATE FUNCTION jsonb_ivm_locks_sql(nodes jsonb, d integer, vals text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n jsonb := nodes->d;
	e integer;
	out text;
BEGIN
	out := @extschema@.jsonb_ivm_lock_sql(format('PERFORM FROM %I.%I l WHERE l.%I IN (%s) ORDER BY l.%I FOR SHARE',
		n->>'schema', n->>'table', n->>'col', vals, n->>'col'));
	FOR e IN SELECT k - 1 FROM jsonb_array_elements(nodes) WITH ORDINALITY x(v, k)
		WHERE (v->>'up')::integer = d ORDER BY k
	LOOP
		out := out || @extschema@.jsonb_ivm_locks_sql(nodes, e,
			format('SELECT l.%I FROM %I.%I l WHERE l.%I IN (%s)',
				nodes->e->>'up_col', n->>'schema', n->>'table', n->>'col', vals));
	END LOOP;
	RETURN out;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_locks_sql(jsonb, integer, text) IS
'generator: lock the rows that changed rows link to, before a trigger copies from them';

-- Generated code: under REPEATABLE READ or SERIALIZABLE (rr), a
-- serialization failure when the rows the query of tids finds ($1 = arg,
-- an array expression) differ under the latest snapshot.
CREATE FUNCTION jsonb_ivm_check_sql(query text, arg text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format(E'\t\tIF rr THEN\n\t\t\tPERFORM %I.jsonb_ivm_check_snapshot(%L,\n\t\t\t\t%s);\n\t\tEND IF;\n',
		'@extschema@', query, arg)
$$;

COMMENT ON FUNCTION jsonb_ivm_check_sql(text, text) IS
'generator: the check across snapshots of the rows a query finds, under REPEATABLE READ or SERIALIZABLE';

-- Generated code: under REPEATABLE READ or SERIALIZABLE, a serialization
-- failure when the rows that place the elements of array c (the rows of its
-- correlated table c, with the rows of the tables joined below it in the
-- array's subquery, which hold sort keys and filter columns) differ under
-- the latest snapshot, in the documents that changed rows of node i (read
-- from rows, a FROM item) reach.  A splice by position reads its
-- siblings' sort keys: a sibling that a transaction committed after this
-- one's snapshot changed without changing the document, so that its lock
-- made nothing wait, would put the element where the snapshot says.
CREATE FUNCTION jsonb_ivm_siblings_check_sql(nodes jsonb, c integer, i integer, rows text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the link values (c's correlation column) of the documents: of the
	-- changed rows, or of the rows of c above them
	vals text := format('SELECT s.%I FROM %s s', nodes->c->>'col',
		CASE WHEN i = c THEN rows ELSE @extschema@.jsonb_ivm_rows_above_sql(nodes, i, c, rows) END);
	k integer;
	-- the array's tables, c first, each left-joined to the one above
	tids text := 'e.ctid';
	joins text := '';
	j integer;
BEGIN
	-- the nodes are listed above before below: the joined nodes of the
	-- subquery are those whose chain of joined nodes reaches c
	FOR j IN SELECT x.k - 1 FROM jsonb_array_elements(nodes) WITH ORDINALITY x(v, k)
		WHERE x.k - 1 > c ORDER BY x.k
	LOOP
		k := j;
		WHILE nodes->k->>'role' = 'joined' LOOP
			k := (nodes->k->>'up')::integer;
		END LOOP;
		IF k = c AND j <> c THEN
			tids := tids || format(', j%s.ctid', j);
			joins := joins || format(' LEFT JOIN %I.%I j%s ON j%s.%I = %s.%I',
				nodes->j->>'schema', nodes->j->>'table', j, j, nodes->j->>'col',
				CASE WHEN (nodes->j->>'up')::integer = c THEN 'e' ELSE 'j' || (nodes->j->>'up') END,
				nodes->j->>'up_col');
		END IF;
	END LOOP;
	RETURN @extschema@.jsonb_ivm_check_sql(
		format('SELECT %s FROM %I.%I e%s WHERE e.%I IN (SELECT unnest($1))',
			tids, nodes->c->>'schema', nodes->c->>'table', joins, nodes->c->>'col'),
		format('ARRAY(%s)', vals));
END
$$;

COMMENT ON FUNCTION jsonb_ivm_siblings_check_sql(jsonb, integer, integer, text) IS
'generator: the check across snapshots of the rows that place the elements of an array, under REPEATABLE READ or SERIALIZABLE';

-- Statements about the rows up the chain from changed rows of node i (read
-- from rows, a FROM item), nearest first, while the nodes have the given
-- role ('parent' includes 'joined', a table an array's elements join by
-- its key):
-- - 'child': lock FOR SHARE the rows up its foreign keys toward the root,
--   whether the root's filter keeps them or not.  A trigger decides from
--   them which documents to patch, so a concurrent UPDATE of one of them (a
--   row moving, or entering or leaving the projection) must end before the
--   next statement reads them, or start after this transaction.  Each level
--   is locked by its own statement, which sees the rows as the wait for the
--   level below left them.  The foreign key checks take FOR KEY SHARE,
--   which does not conflict with such an UPDATE.
-- - 'parent': under REPEATABLE READ or SERIALIZABLE, compare across
--   snapshots the rows that link to changed parent rows, and to the parents
--   above them.  A transaction that linked a new row to one of them and
--   committed while this one waited for the row in its own UPDATE is
--   invisible to this snapshot, and its document would keep the parent's
--   old values (jsonb_ivm_check_snapshot raises a serialization failure
--   instead).  So would a document that a transaction committed after this
--   one's snapshot linked to a changed row: the lock it took on that row
--   no longer makes this one wait.
CREATE FUNCTION jsonb_ivm_up_sql(nodes jsonb, i integer, rows text, role text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n jsonb := nodes->i;
	up jsonb;
	arg text := format('ARRAY(SELECT s.%I FROM %s s)', n->>'col', rows);
	vals text := CASE role WHEN 'child' THEN format('SELECT s.%I FROM %s s', n->>'col', rows)
		ELSE 'SELECT unnest($1)' END;
	level integer := 0;
	found_sql text;
	out text := '';
BEGIN
	WHILE (n->>'role' = role OR (role = 'parent' AND n->>'role' = 'joined'))
		AND (n->>'up')::integer >= 0 LOOP
		up := nodes->((n->>'up')::integer);
		level := level + 1;
		found_sql := format('FROM %I.%I l%s WHERE l%s.%I IN (%s)',
			up->>'schema', up->>'table', level, level, n->>'up_col', vals);
		out := out || CASE role
			WHEN 'child' THEN @extschema@.jsonb_ivm_lock_sql(format('PERFORM %s ORDER BY l%s.%I FOR SHARE',
				found_sql, level, n->>'up_col'))
			ELSE @extschema@.jsonb_ivm_check_sql(format('SELECT l%s.ctid %s', level, found_sql), arg) END;
		vals := format('SELECT l%s.%I %s', level, up->>'col', found_sql);
		n := up;
	END LOOP;
	RETURN out;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_up_sql(jsonb, integer, text, text) IS
'generator: lock the rows up the foreign keys of changed child rows, or check under REPEATABLE READ or SERIALIZABLE the rows linking to changed parent rows';

-- The query of projection p as a FROM item: its definition view, or on a
-- Citus shard group the query over the group's shards.
CREATE FUNCTION jsonb_ivm_definition_sql(p @extschema@.jsonb_ivm_projection)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN p.sources->0 ? 'definition'
		THEN format(E'(%s\n\t)', rtrim(p.sources->0->>'definition', E'; \n'))
		ELSE format('%I.%I', p.schema_name, p.definition_view) END
$$;

COMMENT ON FUNCTION jsonb_ivm_definition_sql(@extschema@.jsonb_ivm_projection) IS
'generator: the query of a projection as a FROM item';

-- Generated code: under REPEATABLE READ or SERIALIZABLE, a serialization
-- failure when the latest snapshot would build the documents of
-- projection p with the keys arg (an array expression) otherwise.
CREATE FUNCTION jsonb_ivm_documents_check_sql(p @extschema@.jsonb_ivm_projection, arg text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT @extschema@.jsonb_ivm_check_sql(format('SELECT q.* FROM %s q WHERE q.%I = ANY ($1)',
		@extschema@.jsonb_ivm_definition_sql(p), p.key_column), arg)
$$;

COMMENT ON FUNCTION jsonb_ivm_documents_check_sql(@extschema@.jsonb_ivm_projection, text) IS
'generator: the check across snapshots of the documents with given keys, under REPEATABLE READ or SERIALIZABLE';

-- The rows of projection p's table computed from its definition view: a
-- SELECT of the given columns, those the query does not output (the
-- root's hidden pairs: column, root column) read from the root row.
CREATE FUNCTION jsonb_ivm_rows_sql(p @extschema@.jsonb_ivm_projection, columns name[])
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('SELECT %s FROM %s q', (SELECT string_agg(CASE WHEN h.hidden ? c
				THEN format('r.%I', h.hidden->>c) ELSE format('q.%I', c) END, ', ')
			FROM unnest(columns) c), @extschema@.jsonb_ivm_definition_sql(p))
		|| CASE WHEN h.hidden <> '{}' THEN format(' JOIN %I.%I r ON r.%I = q.%I',
			p.sources->0->>'schema', p.sources->0->>'table', p.sources->0->>'col', p.key_column)
			ELSE '' END
	FROM (SELECT coalesce(p.sources->0->'hidden', '{}') AS hidden) h
$$;

COMMENT ON FUNCTION jsonb_ivm_rows_sql(@extschema@.jsonb_ivm_projection, name[]) IS
'generator: the rows of a projection computed from its definition';

-- The function that recomputes given documents from the definition view:
-- the maintenance every generated trigger ends with.
CREATE FUNCTION jsonb_ivm_recompute_sql(p @extschema@.jsonb_ivm_projection,
	fname name, key_type text, columns name[], coordinator boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $gen$
DECLARE
	others name[] := array_remove(columns, p.key_column);
BEGIN
	RETURN format($f$CREATE FUNCTION %1$I.%2$I(keys %3$s[]) RETURNS %15$s
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $body$
-- Generated by jsonb_ivm_create_projection: recompute the documents of
-- %1$I.%4$I with the given keys from its definition %16$s.  Documents
-- are locked in key order (the lock order of all generated functions), and
-- a document that does not change is not written.  Under REPEATABLE READ
-- or SERIALIZABLE, a serialization failure when the latest snapshot would
-- build the documents otherwise: a change committed after the snapshot
-- that wrote no document (not there yet, or left as it was) made no lock
-- wait.  It returns no row: its
-- return type ties it to the table, so that DROP TABLE of the projection
-- is refused while its triggers would still call this function.
DECLARE
	flag text := current_setting('jsonb_ivm.maintenance', true);
	rr boolean := current_setting('transaction_isolation') IN ('repeatable read', 'serializable');
	citus text;
BEGIN
%11$s%17$s%12$s
	DELETE FROM %1$I.%4$I t WHERE t.%6$I = ANY (keys)
		AND NOT EXISTS (SELECT FROM %5$s q WHERE q.%6$I = t.%6$I);
	INSERT INTO %1$I.%4$I AS t (%7$s)
	%8$s WHERE q.%6$I = ANY (keys)%14$s
	ON CONFLICT (%6$I) DO UPDATE SET %9$s
	WHERE %10$s;
%13$s
	RETURN;
END
$body$$f$,
		p.schema_name, fname, key_type, p.table_name, @extschema@.jsonb_ivm_definition_sql(p), p.key_column,
		(SELECT string_agg(format('%I', c), ', ') FROM unnest(columns) c),
		@extschema@.jsonb_ivm_rows_sql(p, columns),
		(SELECT string_agg(format('%I = excluded.%I', c, c), ', ') FROM unnest(others) c),
		(SELECT string_agg(CASE WHEN c = 'data'
			THEN format('NOT %I.jsonb_ivm_identical(t.data, excluded.data)', '@extschema@')
			ELSE format('t.%I IS DISTINCT FROM excluded.%I', c, c) END, E'\n\t\tOR ')
		 FROM unnest(others) c),
		CASE WHEN coordinator THEN '' ELSE @extschema@.jsonb_ivm_lock_sql(format('PERFORM FROM %I.%I t WHERE t.%I = ANY (keys) ORDER BY t.%I FOR NO KEY UPDATE',
			p.schema_name, p.table_name, p.key_column, p.key_column)) END,
		-- on the coordinator of a Citus projection (its refresh), the
		-- setting must reach the guard on the shards: SET LOCAL, which
		-- Citus sends to the nodes with citus.propagate_set_commands
		CASE WHEN coordinator THEN $s$	citus := current_setting('citus.propagate_set_commands');
	SET LOCAL citus.propagate_set_commands = 'local';
	SET LOCAL jsonb_ivm.maintenance = 'on';$s$
			ELSE $s$	PERFORM set_config('jsonb_ivm.maintenance', 'on', true);$s$ END,
		CASE WHEN coordinator THEN $s$	EXECUTE format('SET LOCAL jsonb_ivm.maintenance = %L', coalesce(flag, ''));
	EXECUTE format('SET LOCAL citus.propagate_set_commands = %L', citus);$s$
			ELSE $s$	PERFORM set_config('jsonb_ivm.maintenance', coalesce(flag, ''), true);$s$ END,
		CASE WHEN coordinator THEN '' ELSE format(' ORDER BY q.%I', p.key_column) END,
		-- a Citus shard's table is on the workers only: its function
		-- returns void
		CASE WHEN p.sources->0 ? 'definition' THEN 'void'
			ELSE format('SETOF %I.%I', p.schema_name, p.table_name) END,
		format('%I.%I', p.schema_name, p.definition_view),
		@extschema@.jsonb_ivm_documents_check_sql(p, 'keys'));
END
$gen$;

COMMENT ON FUNCTION jsonb_ivm_recompute_sql(@extschema@.jsonb_ivm_projection, name, text, name[], boolean) IS
'generator: the function that recomputes documents of a projection by key';

-- The rows of one side of an UPDATE (new_rows or old_rows) whose change is
-- not merged by node i: those are recomputed.
CREATE FUNCTION jsonb_ivm_unmerged_sql(nodes jsonb, i integer, side text,
	which text DEFAULT 'unmerged')
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n jsonb := nodes->i;
	other text := CASE side WHEN 'new_rows' THEN 'old_rows' ELSE 'new_rows' END;
	middle boolean := coalesce(n->'middle', 'null') <> 'null';
	-- the same links: up, and for a table between an array's correlated
	-- and element tables, down
	same_col text := format('SELECT FROM %I y WHERE y.%I = x.%I', other, n->>'col', n->>'col')
		|| CASE WHEN middle THEN format(' AND y.%I IS NOT DISTINCT FROM x.%I', n->>'down_col', n->>'down_col')
			ELSE '' END;
	unmerged text := format('NOT EXISTS (%s%s)', same_col,
		CASE WHEN middle THEN ' AND y::text IS NOT DISTINCT FROM x::text'
		ELSE (SELECT coalesce(string_agg(format(' AND y.%I::text IS NOT DISTINCT FROM x.%I::text', c, c), ''), '')
		 FROM jsonb_array_elements_text(coalesce(nullif(n->'compare', 'null'), '[]')) c) END);
BEGIN
	IF n->'merge' = 'null' AND n->'element' = 'null' AND NOT middle THEN
		RETURN side;
	END IF;
	RETURN format('(SELECT x.* FROM %I x WHERE %s)', side, CASE which
		WHEN 'unmerged' THEN unmerged
		-- of an element table whose elements move, or a table between it
		-- and the correlated table: the rows whose links changed
		-- (recomputed), and the changed rows that kept them (moved)
		WHEN 'relinked' THEN format('NOT EXISTS (%s)', same_col)
		WHEN 'moved' THEN format('EXISTS (%s) AND %s', same_col, unmerged) END);
END
$$;

COMMENT ON FUNCTION jsonb_ivm_unmerged_sql(jsonb, integer, text, text) IS
'generator: the changed rows of a source node that its merge does not cover';

-- Whether no changed row of node i (which merges or replaces its
-- element) changed its link or a column read elsewhere: then no row is
-- left unmerged, and the trigger does not look for documents to
-- recompute.  The rows of each side, as text, compared as sorted arrays
-- (ARRAY() of a sorted subquery: no aggregate to set up): a row that
-- changed makes them differ.
CREATE FUNCTION jsonb_ivm_unchanged_sql(nodes jsonb, i integer)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('ARRAY(SELECT ROW(%1$s)::text COLLATE "C" FROM new_rows x ORDER BY 1)'
		|| E'\n\t\t\tIS NOT DISTINCT FROM ARRAY(SELECT ROW(%1$s)::text COLLATE "C" FROM old_rows x ORDER BY 1)',
		(SELECT string_agg(format('x.%I', c), ', ' ORDER BY o)
		 FROM (SELECT c, min(o) AS o
			FROM jsonb_array_elements_text(jsonb_build_array(nodes->i->>'col')
				|| coalesce(nullif(nodes->i->'compare', 'null'), '[]'))
				WITH ORDINALITY x(c, o) GROUP BY c) c))
$$;

COMMENT ON FUNCTION jsonb_ivm_unchanged_sql(jsonb, integer) IS
'generator: whether an UPDATE left the links and compared columns of the rows of a source node as they were';

-- For an UPDATE of node i's rows: the keys of the documents a merge
-- rewrites, or of a parent the condition on the projection t that finds
-- them (merge_keys), and the statement that merges (merge_sql).  The
-- root merges its own keys where the columns read elsewhere are unchanged;
-- a parent merges its keys into every root row linked to it.
CREATE FUNCTION jsonb_ivm_merge_sql(p @extschema@.jsonb_ivm_projection,
	i integer, OUT merge_keys text, OUT merge_sql text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $gen$
DECLARE
	n jsonb := p.sources->i;
	pairs text;
	rows_sql text;
	doc_key text;
	columns_set text;
	columns_select text;
	columns_changed text;
	parent_values text := '';
	parent_set text := 't.data';
	v text;
	is_jsonb boolean;
BEGIN
	SELECT string_agg(format('%L, %s', m.v, n->'merge'->>(m.k::integer)), ', ' ORDER BY m.k)
	INTO pairs
	FROM jsonb_array_elements_text(n->'merge') WITH ORDINALITY m(v, k)
	WHERE m.k % 2 = 1;
	IF i = 0 THEN
		-- the parents whose keys the root's merge rewrites too (built quoted
		-- by jsonb_ivm_analyze_projection)
		rows_sql := format('new_rows n JOIN old_rows o ON o.%I = n.%I', n->>'col', n->>'col')
			|| (SELECT string_agg(format(E'\n\t\t\tAND o.%I::text IS NOT DISTINCT FROM n.%I::text', c, c), '')
				FROM jsonb_array_elements_text(n->'compare') c)
			|| coalesce((SELECT string_agg(E'\n\t\t\t' || j, '')
				FROM jsonb_array_elements_text(nullif(n->'joins', 'null')) j), '');
		doc_key := format('n.%I', n->>'col');
	END IF;
	-- the documents to lock: those of every new row, which include those
	-- the merge rewrites; a parent's, as a condition on the projection's
	-- column that holds the root's link to it (doc_col)
	merge_keys := CASE WHEN i = 0 THEN format('SELECT n.%I FROM new_rows n', n->>'col')
		ELSE format('t.%I = ANY (ARRAY(SELECT n.%I FROM new_rows n))', n->>'doc_col', n->>'col') END;
	-- the root's merge also sets the other columns read from its row alone
	SELECT coalesce(string_agg(format(', %I = m.%I', c.name, c.name), ''), ''),
		coalesce(string_agg(format(', %s AS %I', c.expr, c.name), ''), ''),
		coalesce(string_agg(format(E'\n\t\t\tOR t.%I::text IS DISTINCT FROM m.%I::text', c.name, c.name), ''), '')
	INTO columns_set, columns_select, columns_changed
	FROM (SELECT x.v AS name, n->'columns'->>(x.k::integer) AS expr
		  FROM jsonb_array_elements_text(CASE WHEN i = 0 THEN nullif(n->'columns', 'null') END)
			WITH ORDINALITY x(v, k)
		  WHERE x.k % 2 = 1) c;
	IF i > 0 THEN
		-- a parent's values, often whole documents, are built once per
		-- parent row (v1, v2, ...) and spliced into each document, not
		-- rebuilt: OFFSET 0 keeps the planner from flattening their
		-- subquery, which would build them again per document and in the
		-- WHERE.  (With several paths the splice runs twice per document,
		-- in the WHERE and in SET: cheaper than a subquery of the spliced
		-- documents, which EvalPlanQual makes the UPDATE carry as a whole
		-- row.)  A value of
		-- another type than jsonb (a column) is converted by to_jsonb, as
		-- jsonb_build_object converts it; its type is that of the
		-- expression over a row of NULLs.
		FOR j IN 1 .. jsonb_array_length(n->'merge') / 2 LOOP
			v := n->'merge'->>(2 * j - 1);
			EXECUTE format('SELECT pg_typeof(%s) = %L::regtype FROM (SELECT) d LEFT JOIN %s n ON false',
				v, 'jsonb', (n->>'relid')::oid::regclass) INTO is_jsonb;
			IF NOT is_jsonb THEN
				v := format('to_jsonb(%s)', v);
			END IF;
			parent_values := parent_values || format(E',\n\t\t\t\t\t%s AS v%s', v, j);
			parent_set := format('%I.jsonb_ivm_set_at_path(%s, %L, p.v%s)', '@extschema@',
				parent_set, ARRAY[n->'merge'->>(2 * j - 2)], j);
		END LOOP;
		merge_sql := format($f$
		UPDATE %1$I.%2$I t SET data = %5$s
		FROM (SELECT n.%6$I AS k%7$s
			FROM new_rows n JOIN old_rows o ON o.%6$I = n.%6$I
			OFFSET 0) p	-- not flattened: each parent's values built once
		WHERE t.%8$I = p.k AND NOT %9$s;
$f$,
			p.schema_name, p.table_name, p.key_column, '@extschema@',
			parent_set, n->>'col', parent_values, n->>'doc_col',
			-- one path: whether its value is already the parent's, read in
			-- place; else whether the spliced document is the same
			CASE WHEN jsonb_array_length(n->'merge') = 2
				THEN format('%I.jsonb_ivm_identical_at(t.data, %L, p.v1)', '@extschema@',
					ARRAY[n->'merge'->>0])
				ELSE format(E'%I.jsonb_ivm_identical(t.data,\n\t\t\t%s)', '@extschema@', parent_set) END);
		RETURN;
	END IF;
	-- m.data: the whole document, or the keys merged into it
	merge_sql := format($f$
		UPDATE %1$I.%2$I t SET data = %11$s%8$s
		FROM (SELECT %7$s AS %3$I, %5$s AS data%9$s
			FROM %6$s) m
		WHERE t.%3$I = m.%3$I AND (NOT %12$s%10$s);
$f$,
		p.schema_name, p.table_name, p.key_column, '@extschema@',
		CASE WHEN n->'merge'->>0 = '' THEN n->'merge'->>1
			ELSE format('jsonb_build_object(%s)', pairs) END,
		rows_sql, doc_key, columns_set, columns_select, columns_changed,
		CASE WHEN n->'merge'->>0 = '' THEN 'm.data'
			ELSE format('%I.jsonb_merge_at_path(t.data, m.data, ''{}'')', '@extschema@') END,
		-- whether the document stays as it is, the merge's keys compared
		-- in place rather than the merge built twice
		CASE WHEN n->'merge'->>0 = '' THEN format('%I.jsonb_ivm_identical(t.data, m.data)', '@extschema@')
			ELSE format('%I.jsonb_ivm_identical_merge(t.data, m.data, ''{}'')', '@extschema@') END);
END
$gen$;

COMMENT ON FUNCTION jsonb_ivm_merge_sql(@extschema@.jsonb_ivm_projection, integer) IS
'generator: the merge of the keys that an UPDATE of a root or parent row rewrites alone';

-- For an UPDATE of node i's rows that changes only columns its array
-- elements read: the keys of the documents to patch (element_keys), and
-- the statements that replace each changed element, found by its exact
-- old value (element_sql).  A document where an old element is not found
-- exactly once is recomputed instead.
CREATE FUNCTION jsonb_ivm_element_sql(p @extschema@.jsonb_ivm_projection,
	i integer, OUT element_keys text, OUT element_sql text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $gen$
DECLARE
	n jsonb := p.sources->i;
	a integer := (n->>'array_node')::integer;
	-- only rows that pass the array's filter have an element
	filter text := CASE WHEN p.sources->a->'filter' = 'null' THEN ''
		ELSE E'\n\t\t\tWHERE ' || (p.sources->a->'filter'->>(CASE WHEN a = i THEN 0 ELSE 3 END)) END;
	k record;
	rows_sql text;
BEGIN
	k := @extschema@.jsonb_ivm_doc_key_sql(p.sources, i);
	rows_sql := format('new_rows n JOIN old_rows o ON o.%I = n.%I', n->>'col', n->>'col')
		|| (SELECT coalesce(string_agg(format(E'\n\t\t\t\tAND o.%I::text IS NOT DISTINCT FROM n.%I::text', c, c), ''), '')
			FROM jsonb_array_elements_text(n->'compare') c)
		|| k.joins || filter;
	-- the documents to lock: those of every new row
	element_keys := @extschema@.jsonb_ivm_keys_sql(p.sources, i, 'new_rows');
	-- (the old and new elements as jsonb arrays by to_jsonb(array_agg()),
	-- the same value as jsonb_agg() builds, several times faster).  A
	-- document whose old and new elements are the same bytes is skipped;
	-- any other is patched where each old element is found exactly once,
	-- and recomputed where one is not
	element_sql := format($f$
		-- replace the elements of the changed rows in %1$s
		SELECT array_agg(e.k), array_agg(e.olds), array_agg(e.news)
		INTO patched, olds, news
		FROM (SELECT %4$s AS k, to_jsonb(array_agg(%5$s)) AS olds, to_jsonb(array_agg(%6$s)) AS news
			FROM %7$s
			GROUP BY 1) e
		WHERE NOT %2$I.jsonb_ivm_identical(e.olds, e.news);
		WITH x AS (SELECT e.k, %2$I.jsonb_ivm_array_replace(t.data, %3$L, e.o, e.n) AS d
			FROM unnest(patched, olds, news) e(k, o, n)
			JOIN %8$I.%9$I t ON t.%10$I = e.k),
		u AS (UPDATE %8$I.%9$I t SET data = x.d
			FROM x WHERE t.%10$I = x.k AND x.d IS NOT NULL)
		-- where an element was not found exactly once: recompute
		SELECT keys || ARRAY(SELECT x.k FROM x WHERE x.d IS NULL) INTO keys;
$f$,
		n->'element'->>0, '@extschema@', ARRAY[n->'element'->>0],
		k.doc_key, n->'element'->>2, n->'element'->>1, rows_sql,
		p.schema_name, p.table_name, p.key_column);
END
$gen$;

COMMENT ON FUNCTION jsonb_ivm_element_sql(@extschema@.jsonb_ivm_projection, integer) IS
'generator: the replacement of the array elements that an UPDATE of their rows rewrites';

-- The joins from rows of the correlated table c of an array (aliased
-- start) down to the last table its elements read (aliased elem), each
-- node k between joined as <prefix>k.
CREATE FUNCTION jsonb_ivm_down_sql(nodes jsonb, c integer, start text, elem text,
	how text DEFAULT 'JOIN', prefix text DEFAULT 'e', top integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	path integer[] := '{}';
	k integer := (nodes->c->>'element_node')::integer;
	joins text := '';
	alias text := start;
	next text;
BEGIN
	-- from node top (aliased start) instead of c
	WHILE k <> coalesce(top, c) LOOP
		path := k || path;
		k := (nodes->k->>'up')::integer;
	END LOOP;
	FOREACH k IN ARRAY path LOOP
		next := CASE WHEN k = (nodes->c->>'element_node')::integer THEN elem
			ELSE prefix || k END;
		joins := joins || format(E'\n\t\t\t%s %I.%I %s ON %s.%I = %s.%I', how,
			nodes->k->>'schema', nodes->k->>'table', next, next, nodes->k->>'col',
			alias, nodes->k->>'up_col');
		alias := next;
	END LOOP;
	RETURN joins;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_down_sql(jsonb, integer, text, text, text, text, integer) IS
'generator: the joins from rows of an array''s correlated table to the table its elements are read from';

-- Whether a row of the group of node c's array sorts before a changed row,
-- its array ordered as c's positional says (jsonb_ivm_analyze_projection):
-- a row comparison, or else each sort key compared with its own operator
-- and NULL order, the later keys breaking ties.  A sort key is a column of
-- node k: for the group's row, of c aliased g, of the element table
-- g_elem, of another node gk; for the changed row, of c aliased n, of the
-- element table n, of another node ek (with a driver, the node whose
-- changed rows are aliased n: of the driver n, of every other node ek).
CREATE FUNCTION jsonb_ivm_before_sql(nodes jsonb, c integer, g text, n text,
	driver integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	positional jsonb := nodes->c->'positional';
	el integer := (nodes->c->>'element_node')::integer;
	keys integer[] := ARRAY(SELECT generate_series(2, jsonb_array_length(positional) - 1, 5));
	gs text[] := '{}';
	ns text[] := '{}';
	i integer;
	k integer;
	out text := '';
BEGIN
	FOREACH i IN ARRAY keys LOOP
		k := (positional->>i)::integer;
		gs := gs || format('%s.%I', CASE WHEN k = c THEN g WHEN k = el THEN 'g_elem' ELSE 'g' || k END,
			positional->>(i + 1));
		ns := ns || format('%s.%I', CASE WHEN k = driver THEN 'n' WHEN k = c THEN n
			WHEN k = el AND driver IS NULL THEN 'n' ELSE 'e' || k END,
			positional->>(i + 1));
	END LOOP;
	IF positional->>1 <> 'lex' THEN
		RETURN format('(%s) %s (%s)', array_to_string(gs, ', '), positional->>1,
			array_to_string(ns, ', '));
	END IF;
	-- from the last key to the first: key i sorts before, or ties and the
	-- keys after it decide
	FOR k IN REVERSE cardinality(keys)..1 LOOP
		i := keys[k];
		out := format('(%s %s %s OR %s IS %s AND %s IS %s%s)',
			gs[k], positional->>(i + 2), ns[k],
			gs[k], CASE positional->>(i + 4) WHEN 'first' THEN 'NULL' ELSE 'NOT NULL' END,
			ns[k], CASE positional->>(i + 4) WHEN 'first' THEN 'NOT NULL' ELSE 'NULL' END,
			CASE WHEN out = '' THEN '' ELSE format(' OR (%s %s %s OR %s IS NULL AND %s IS NULL) AND %s',
				gs[k], positional->>(i + 3), ns[k], gs[k], ns[k], out) END);
	END LOOP;
	RETURN out;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_before_sql(jsonb, integer, text, text, integer) IS
'generator: whether one row sorts before another in an array placed by position';

-- For a change of the correlated table c of an array whose elements are
-- placed by position: the keys of the documents to patch (splice_keys) and
-- the statements that remove the elements of the old rows, found by their
-- exact value, and insert those of the new rows at their ORDER BY index,
-- the number of rows of their group that sort before them (splice_sql).
-- op 'OUTER': rows (a FROM item) are rows of c that did not change but
-- whose elements did; each element at their index is rebuilt.  op
-- 'ELEMENT': an UPDATE of the element table below c of rows that kept
-- their link but changed a column read elsewhere (a sort key, a filter),
-- or (driver) of a table between them, of rows that kept their links:
-- their elements are removed and inserted again at their positions.
CREATE FUNCTION jsonb_ivm_splice_sql(p @extschema@.jsonb_ivm_projection,
	c integer, op text, rows text DEFAULT 'new_rows', driver integer DEFAULT NULL,
	OUT splice_keys text, OUT splice_sql text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $gen$
DECLARE
	nodes jsonb := p.sources;
	n jsonb := nodes->c;
	e jsonb := nodes->((n->>'element_node')::integer)->'element';
	same boolean := (n->>'element_node')::integer = c;
	-- the element expressions read their last table as n (new) or o (old),
	-- every other table of node k as ek
	na text := CASE WHEN same THEN 'n' ELSE 'e' || c END;
	oa text := CASE WHEN same THEN 'o' ELSE 'e' || c END;
	el integer := (n->>'element_node')::integer;
	-- of op ELEMENT: the node whose rows changed, its element and filter
	-- over its new row n and old row o, and the joins down to el
	d integer := coalesce(driver, el);
	mid jsonb := nodes->d->'middle';
	kn record := @extschema@.jsonb_ivm_doc_key_sql(nodes, CASE WHEN op = 'ELEMENT' THEN d ELSE c END,
		CASE WHEN op = 'ELEMENT' THEN 'n' ELSE na END);
	ko record := @extschema@.jsonb_ivm_doc_key_sql(nodes, CASE WHEN op = 'ELEMENT' THEN d ELSE c END,
		CASE WHEN op = 'ELEMENT' THEN 'o' ELSE oa END);
	elem_n text := CASE WHEN driver IS NULL THEN e->>1 ELSE mid->>0 END;
	elem_o text := CASE WHEN driver IS NULL THEN e->>2 ELSE mid->>1 END;
	filter_n text := CASE WHEN n->'filter' = 'null' THEN NULL
		WHEN driver IS NULL THEN n->'filter'->>3 ELSE mid->>2 END;
	filter_o text := CASE WHEN n->'filter' = 'null' THEN NULL
		WHEN driver IS NULL THEN n->'filter'->>4 ELSE mid->>3 END;
	down_n text := CASE WHEN driver IS NULL THEN ''
		ELSE @extschema@.jsonb_ivm_down_sql(nodes, c, 'n', 'e' || el, 'JOIN', 'e', d) END;
	-- (an element row gone makes the old element impossible to rebuild:
	-- its document is recomputed)
	down_o text := CASE WHEN driver IS NULL THEN ''
		ELSE @extschema@.jsonb_ivm_down_sql(nodes, c, 'o', 'e' || el, 'LEFT JOIN', 'e', d) END;
	olds text;
	news text;
	src text;
BEGIN
	-- an old row whose element row is gone has an element that cannot be
	-- rebuilt: its document is recomputed (lost)
	olds := CASE WHEN op = 'ELEMENT' THEN
		-- the old elements from the old rows of the element table (o) and
		-- the rows above them
		format('SELECT %s AS k, to_jsonb(array_agg(%s)) AS olds, %s AS lost FROM %s o%s%s%s GROUP BY 1',
			ko.doc_key, elem_o,
			CASE WHEN driver IS NULL THEN 'false' ELSE format('bool_or(e%s.%I IS NULL)', el, nodes->el->>'col') END,
			@extschema@.jsonb_ivm_unmerged_sql(nodes, d, 'old_rows', 'moved'), ko.joins, down_o,
			CASE WHEN filter_o IS NULL THEN ''
				WHEN driver IS NULL THEN E'\n\t\t\tWHERE ' || filter_o
				ELSE format(E'\n\t\t\tWHERE (e%s.%I IS NULL OR %s)', el, nodes->el->>'col', filter_o) END)
		ELSE format('SELECT %s AS k, to_jsonb(array_agg(%s)) AS olds, %s AS lost FROM old_rows %s%s%s%s GROUP BY 1',
		ko.doc_key, CASE WHEN same THEN e->>2 ELSE e->>1 END,
		CASE WHEN same THEN 'false' ELSE format('bool_or(n.%I IS NULL)',
			nodes->((n->>'element_node')::integer)->>'col') END,
		oa, ko.joins,
		CASE WHEN same THEN '' ELSE @extschema@.jsonb_ivm_down_sql(nodes, c, oa, 'n', 'LEFT JOIN') END,
		-- (a filter may read the element table, which the lost rows lack)
		CASE WHEN n->'filter' = 'null' THEN ''
			WHEN same THEN E'\n\t\t\tWHERE ' || (n->'filter'->>1)
			ELSE format(E'\n\t\t\tWHERE (n.%I IS NULL OR %s)',
				nodes->((n->>'element_node')::integer)->>'col', n->'filter'->>3) END) END;
	news := format($q$SELECT s.k, array_agg(s.pos ORDER BY s.pos) AS positions,
				to_jsonb(array_agg(s.e ORDER BY s.pos)) AS news, max(s.total) AS total
			FROM (SELECT %1$s AS k, %2$s AS e, gc.pos::integer AS pos, gc.total::integer AS total
			FROM %13$s %14$s%8$s%9$s
			-- the group's rows, once: those that sort before, and all
			CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE %7$s) AS pos, count(*) AS total
				FROM %3$I.%4$I g%5$s
				WHERE g.%6$I = %10$s.%6$I%11$s) gc%12$s) s
			GROUP BY 1$q$,
		kn.doc_key, CASE WHEN op = 'ELEMENT' THEN elem_n ELSE e->>1 END, n->>'schema', n->>'table',
		@extschema@.jsonb_ivm_down_sql(nodes, c, 'g', 'g_elem', 'JOIN', 'g'),
		n->>'col',
		@extschema@.jsonb_ivm_before_sql(nodes, c, 'g', na, CASE WHEN op = 'ELEMENT' THEN d END),
		kn.joins,
		CASE WHEN op = 'ELEMENT' THEN down_n WHEN same THEN ''
			ELSE @extschema@.jsonb_ivm_down_sql(nodes, c, na, 'n') END,
		na,
		CASE WHEN n->'filter' = 'null' THEN '' ELSE ' AND ' || (n->'filter'->>2) END,
		CASE WHEN n->'filter' = 'null' THEN ''
			WHEN op = 'ELEMENT' THEN E'\n\t\t\tWHERE ' || filter_n
			ELSE E'\n\t\t\tWHERE ' || (n->'filter'->>(CASE WHEN same THEN 0 ELSE 3 END)) END,
		CASE WHEN op = 'ELEMENT' THEN @extschema@.jsonb_ivm_unmerged_sql(nodes, d, 'new_rows', 'moved')
			ELSE rows END,
		CASE WHEN op = 'ELEMENT' THEN 'n' ELSE na END);
	src := CASE op
		WHEN 'INSERT' THEN format('SELECT i.k, NULL::jsonb AS olds, false AS lost, i.positions, i.news, i.total FROM (%s) i', news)
		WHEN 'OUTER' THEN format('SELECT i.k, false AS lost, i.positions, i.news, i.total FROM (%s) i', news)
		WHEN 'DELETE' THEN format('SELECT d.k, d.olds, d.lost, NULL::integer[] AS positions, NULL::jsonb AS news, NULL::integer AS total FROM (%s) d', olds)
		ELSE format(E'SELECT coalesce(d.k, i.k) AS k, d.olds, coalesce(d.lost, false) AS lost, i.positions, i.news, i.total\n\t\t\tFROM (%s) d\n\t\t\tFULL JOIN (%s) i ON i.k = d.k', olds, news) END;
	splice_keys := CASE WHEN op = 'OUTER' THEN @extschema@.jsonb_ivm_keys_sql(nodes, c, rows)
		WHEN op = 'ELEMENT' THEN @extschema@.jsonb_ivm_keys_sql(nodes, d,
			@extschema@.jsonb_ivm_unmerged_sql(nodes, d, 'old_rows', 'moved'))
		ELSE array_to_string(ARRAY[
		CASE WHEN op <> 'INSERT' THEN @extschema@.jsonb_ivm_keys_sql(nodes, c, 'old_rows') END,
		CASE WHEN op <> 'DELETE' THEN @extschema@.jsonb_ivm_keys_sql(nodes, c, 'new_rows') END],
		E'\n\t\t\t\tUNION ALL ') END;
	splice_sql := format($f$
		-- remove the elements of the old rows from %1$s, insert those of the
		-- new rows at their positions
		WITH p AS (SELECT x.k, CASE WHEN NOT x.lost THEN %2$I.jsonb_ivm_array_splice(t.data, %3$L,
				%9$s, coalesce(x.positions, '{}'), coalesce(x.news, '[]'), %8$s,
				x.total) END AS d
			FROM (%4$s) x
			JOIN %5$I.%6$I t ON t.%7$I = x.k),
		u AS (UPDATE %5$I.%6$I t SET data = p.d
			FROM p WHERE t.%7$I = p.k AND p.d IS NOT NULL AND NOT %2$I.jsonb_ivm_identical(t.data, p.d))
		SELECT keys || ARRAY(SELECT p.k FROM p WHERE p.d IS NULL) INTO keys;
$f$,
		n->'positional'->>0, '@extschema@', ARRAY[n->'positional'->>0], src,
		p.schema_name, p.table_name, p.key_column,
		coalesce(nodes->((n->>'element_node')::integer)->>'empty', 'NULL'),
		CASE WHEN op = 'OUTER' THEN format(
			'(SELECT jsonb_agg(t.data #> (%L::text[] || q::text) ORDER BY q) FROM unnest(x.positions) q)',
			ARRAY[n->'positional'->>0])
			ELSE 'coalesce(x.olds, ''[]'')' END);
END
$gen$;

COMMENT ON FUNCTION jsonb_ivm_splice_sql(@extschema@.jsonb_ivm_projection, integer, text, text, integer) IS
'generator: the removal and positional insertion of the array elements of changed rows';

-- The rows of the correlated table c of an array whose elements read the
-- rows of node i (read from rows, a FROM item), once each.
CREATE FUNCTION jsonb_ivm_rows_above_sql(nodes jsonb, i integer, c integer, rows text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN format('(SELECT DISTINCT ON (e%1$s.ctid) e%1$s.* FROM %2$s n%3$s)',
		c, rows, (@extschema@.jsonb_ivm_doc_key_sql(nodes, i)).joins);
END
$$;

COMMENT ON FUNCTION jsonb_ivm_rows_above_sql(jsonb, integer, integer, text) IS
'generator: the rows of an array''s correlated table whose elements changed rows are read by';

-- The statement-level trigger function of one source table: lock what the
-- changed rows link to, collect the keys of the documents they belong to,
-- lock those documents in key order, merge what a merge covers, recompute
-- the rest.  TRUNCATE recomputes every document.
CREATE FUNCTION jsonb_ivm_source_sql(p @extschema@.jsonb_ivm_projection,
	fname name, source_schema name, source_table name, recompute name,
	key_type text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $gen$
DECLARE
	nodes jsonb := p.sources;
	mine integer[];
	i integer;
	d integer;
	op text;
	locks jsonb := '{"INSERT": "", "UPDATE": "", "DELETE": ""}';
	keys jsonb := '{"INSERT": [], "UPDATE": [], "DELETE": []}';
	surgical_keys jsonb := '{"INSERT": [], "UPDATE": [], "DELETE": []}';
	-- ... and conditions on the projection's own columns (t)
	lock_conds jsonb := '{"INSERT": [], "UPDATE": [], "DELETE": []}';
	surgical jsonb := '{"INSERT": "", "UPDATE": "", "DELETE": ""}';
	branch jsonb := '{}';
	-- of an UPDATE: when all hold, no row is recomputed (NULL when some
	-- node recomputes any change)
	unchanged text[] := '{}';
	m record;
	-- the variable holding the keys of the documents locked before a patch
	keys_var text;
	-- node i is an element table whose elements move (see the analyzer)
	moves boolean;
	-- of an UPDATE: the locks of the rows below the root that only a
	-- recomputed document reads
	child_locks text := '';
	-- ... and the correlated table of the array they move in
	a integer;
	-- the source's key columns (of its primary key, else of a unique
	-- index over NOT NULL columns), to tell two versions of one row apart,
	-- where cascaded actions can change a row twice in one statement
	row_key text;
	-- per event: the branch that recomputes whatever the rows reach
	recompute_branch jsonb := '{}';
	-- the source table (on Citus, the distributed table of the shard named)
	src oid := (SELECT (v->>'relid')::oid FROM jsonb_array_elements(nodes) v
		WHERE v->>'schema' = source_schema AND v->>'table' = source_table LIMIT 1);
BEGIN
	row_key := (SELECT string_agg(format('x.%I', a.attname), ', ' ORDER BY k.o)
		FROM (SELECT i.indexrelid, i.indkey FROM pg_index i
			WHERE i.indrelid = src
				AND i.indisunique AND i.indpred IS NULL AND 0 <> ALL (i.indkey)
				AND NOT EXISTS (SELECT FROM unnest(i.indkey) c JOIN pg_attribute na
					ON na.attrelid = i.indrelid AND na.attnum = c WHERE NOT na.attnotnull)
			ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1) ix,
			unnest(ix.indkey) WITH ORDINALITY k(attnum, o)
			JOIN pg_attribute a ON a.attrelid = src
				AND a.attnum = k.attnum)
		-- two foreign keys whose actions update the row, or one to the
		-- table itself (a key change, then the cascade to the row's
		-- reference to itself); the test costs two aggregates per UPDATE
		WHERE (SELECT count(*) FROM pg_constraint c
				WHERE c.conrelid = src
					AND c.contype = 'f'
					AND (c.confdeltype IN ('n', 'd') OR c.confupdtype IN ('c', 'n', 'd'))) >= 2
			OR EXISTS (SELECT FROM pg_constraint c
				WHERE c.conrelid = src
					AND c.contype = 'f' AND c.confrelid = c.conrelid
					AND (c.confdeltype IN ('n', 'd', 'c') OR c.confupdtype IN ('c', 'n', 'd')));
	mine := ARRAY(SELECT k - 1 FROM jsonb_array_elements(nodes) WITH ORDINALITY x(v, k)
		WHERE v->>'schema' = source_schema AND v->>'table' = source_table ORDER BY k);
	FOREACH i IN ARRAY mine LOOP
		moves := nodes->i->'element' <> 'null' AND coalesce((nodes->i->>'moves')::boolean, false)
			OR coalesce(nodes->i->'middle', 'null') <> 'null';
		locks := jsonb_set(locks, '{INSERT}', to_jsonb((locks->>'INSERT')
			|| @extschema@.jsonb_ivm_up_sql(nodes, i, 'new_rows', 'child')));
		locks := jsonb_set(locks, '{DELETE}', to_jsonb((locks->>'DELETE')
			|| @extschema@.jsonb_ivm_up_sql(nodes, i, 'old_rows', 'child')));
		locks := jsonb_set(locks, '{UPDATE}', to_jsonb((locks->>'UPDATE')
			|| @extschema@.jsonb_ivm_up_sql(nodes, i,
				'(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)', 'child')
			|| @extschema@.jsonb_ivm_up_sql(nodes, i,
				'(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)', 'parent')));
		IF nodes->i->'positional' <> 'null' THEN
			-- every change of the rows of this node is spliced.  Positions
			-- come from the sort keys of the changed rows' siblings: under
			-- REPEATABLE READ or SERIALIZABLE, a sibling that a transaction
			-- committed after this one's snapshot changed, without changing
			-- the document (so that its lock made nothing wait), would put
			-- the element where the snapshot says: a serialization failure
			-- instead
			FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
				m := @extschema@.jsonb_ivm_splice_sql(p, i, op);
				surgical_keys := jsonb_set(surgical_keys, ARRAY[op], surgical_keys->op || to_jsonb(m.splice_keys));
				surgical := jsonb_set(surgical, ARRAY[op], to_jsonb((surgical->>op)
					|| @extschema@.jsonb_ivm_siblings_check_sql(nodes, i, i,
						CASE op WHEN 'INSERT' THEN 'new_rows' WHEN 'DELETE' THEN 'old_rows'
							ELSE '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)' END)
					|| m.splice_sql));
			END LOOP;
		ELSIF (nodes->i->>'outer')::integer >= 0 THEN
			-- every change of the rows of this node rebuilds the elements
			-- of the array above that read them, in place.  An element is
			-- built from the rows below it as the snapshot sees them (a
			-- nested array's sort keys among them): under REPEATABLE READ
			-- or SERIALIZABLE, a serialization failure when the latest
			-- snapshot would build the documents otherwise
			FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
				m := @extschema@.jsonb_ivm_splice_sql(p, (nodes->i->>'outer')::integer, 'OUTER',
					@extschema@.jsonb_ivm_rows_above_sql(nodes, i, (nodes->i->>'outer')::integer,
						CASE op WHEN 'INSERT' THEN 'new_rows' WHEN 'DELETE' THEN 'old_rows'
							ELSE '(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)' END));
				surgical_keys := jsonb_set(surgical_keys, ARRAY[op], surgical_keys->op || to_jsonb(m.splice_keys));
				surgical := jsonb_set(surgical, ARRAY[op], to_jsonb((surgical->>op)
					|| @extschema@.jsonb_ivm_documents_check_sql(p, format('ARRAY(%s)', m.splice_keys))
					|| m.splice_sql));
			END LOOP;
		ELSE
			keys := jsonb_set(keys, '{INSERT}', keys->'INSERT'
				|| to_jsonb(@extschema@.jsonb_ivm_keys_sql(nodes, i, 'new_rows')));
			keys := jsonb_set(keys, '{DELETE}', keys->'DELETE'
				|| to_jsonb(@extschema@.jsonb_ivm_keys_sql(nodes, i, 'old_rows')));
			keys := jsonb_set(keys, '{UPDATE}', keys->'UPDATE'
				|| to_jsonb(@extschema@.jsonb_ivm_keys_sql(nodes, i, @extschema@.jsonb_ivm_unmerged_sql(nodes, i, 'new_rows',
					CASE WHEN moves THEN 'relinked' ELSE 'unmerged' END)))
				|| to_jsonb(@extschema@.jsonb_ivm_keys_sql(nodes, i, @extschema@.jsonb_ivm_unmerged_sql(nodes, i, 'old_rows',
					CASE WHEN moves THEN 'relinked' ELSE 'unmerged' END))));
			unchanged := unchanged || CASE WHEN nodes->i->'merge' = 'null' AND nodes->i->'element' = 'null'
				THEN NULL ELSE @extschema@.jsonb_ivm_unchanged_sql(nodes, i) END;
		END IF;
		IF nodes->i->'merge' <> 'null' THEN
			m := @extschema@.jsonb_ivm_merge_sql(p, i);
			IF i = 0 THEN
				surgical_keys := jsonb_set(surgical_keys, '{UPDATE}', surgical_keys->'UPDATE' || to_jsonb(m.merge_keys));
			ELSE
				lock_conds := jsonb_set(lock_conds, '{UPDATE}', lock_conds->'UPDATE' || to_jsonb(m.merge_keys));
			END IF;
			surgical := jsonb_set(surgical, '{UPDATE}', to_jsonb((surgical->>'UPDATE') || m.merge_sql));
		END IF;
		IF nodes->i->'element' <> 'null' AND nodes->i->'positional' = 'null' THEN
			m := @extschema@.jsonb_ivm_element_sql(p, i);
			surgical_keys := jsonb_set(surgical_keys, '{UPDATE}', surgical_keys->'UPDATE' || to_jsonb(m.element_keys));
			surgical := jsonb_set(surgical, '{UPDATE}', to_jsonb((surgical->>'UPDATE') || m.element_sql));
		END IF;
		IF moves THEN
			-- rows that kept their link but changed a sort key or a filter
			-- column: their elements move, in the array of a middle table
			-- or of an element table
			a := CASE WHEN coalesce(nodes->i->'middle', 'null') <> 'null'
				THEN (nodes->i->>'middle_array')::integer ELSE (nodes->i->>'array_node')::integer END;
			m := @extschema@.jsonb_ivm_splice_sql(p, a, 'ELEMENT',
				driver => CASE WHEN coalesce(nodes->i->'middle', 'null') <> 'null' THEN i END);
			surgical_keys := jsonb_set(surgical_keys, '{UPDATE}', surgical_keys->'UPDATE' || to_jsonb(m.splice_keys));
			-- most UPDATEs move nothing: the splice's statements only when
			-- a row moved
			surgical := jsonb_set(surgical, '{UPDATE}', to_jsonb((surgical->>'UPDATE')
				|| format(E'\t\tIF EXISTS (SELECT FROM %s x) THEN\n%s%s\t\tEND IF;\n',
					@extschema@.jsonb_ivm_unmerged_sql(nodes, i, 'new_rows', 'moved'),
					@extschema@.jsonb_ivm_siblings_check_sql(nodes, a, i,
						'(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)'),
					m.splice_sql)));
		END IF;
		FOR d IN SELECT k - 1 FROM jsonb_array_elements(nodes) WITH ORDINALITY x(v, k)
			WHERE (v->>'up')::integer = i ORDER BY k
		LOOP
			locks := jsonb_set(locks, '{INSERT}', to_jsonb((locks->>'INSERT')
				|| @extschema@.jsonb_ivm_locks_sql(nodes, d,
					format('SELECT s.%I FROM new_rows s', nodes->d->>'up_col'))));
			-- on UPDATE too, every link of the new rows: not only a link
			-- the statement created, but also the parent of a row that
			-- enters the projection (its filter), whose document is built
			-- from the parent now, while a concurrent change of the parent
			-- cannot see the row yet.  The root's merge reads its own row
			-- and its parents, never its children: the rows below it only
			-- for the root rows it leaves to be recomputed, and only when
			-- there are any (child_locks, after the test whether the
			-- UPDATE left every link as it was)
			IF i = 0 AND nodes->i->'merge' <> 'null' AND nodes->d->>'role' = 'child' THEN
				child_locks := child_locks || @extschema@.jsonb_ivm_locks_sql(nodes, d,
					format('SELECT s.%I FROM %s s', nodes->d->>'up_col',
						@extschema@.jsonb_ivm_unmerged_sql(nodes, i, 'new_rows')));
			ELSE
				locks := jsonb_set(locks, '{UPDATE}', to_jsonb((locks->>'UPDATE')
					|| @extschema@.jsonb_ivm_locks_sql(nodes, d,
						format('SELECT s.%I FROM new_rows s', nodes->d->>'up_col'))));
			END IF;
		END LOOP;
	END LOOP;

	-- one branch per event: lock linked rows, collect the keys of the
	-- documents to recompute, lock every document to write in key order,
	-- patch surgically, recompute the rest
	FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
		keys_var := CASE WHEN jsonb_array_length(surgical_keys->op) = 0 THEN 'keys' ELSE 'locked' END;
		branch := jsonb_set(branch, ARRAY[op], to_jsonb(
			(locks->>op)
			|| CASE WHEN jsonb_array_length(keys->op) = 0 THEN E'\t\tkeys := ''{}'';\n'
				WHEN op = 'UPDATE' AND array_position(unchanged, NULL) IS NULL THEN format(
					E'\t\tIF %s THEN\n\t\t\tkeys := ''{}'';\n\t\tELSE\n%s\t\t\tkeys := ARRAY(SELECT DISTINCT k FROM (%s) s(k) WHERE k IS NOT NULL ORDER BY k);\n\t\tEND IF;\n',
					array_to_string(unchanged, E'\n\t\t\tAND '),
					regexp_replace(child_locks, '^(?=.)', E'\t', 'gn'),
					(SELECT string_agg(x, E'\n\t\t\t\tUNION ALL ') FROM jsonb_array_elements_text(keys->op) x))
				ELSE CASE op WHEN 'UPDATE' THEN child_locks ELSE '' END || format(
				E'\t\tkeys := ARRAY(SELECT DISTINCT k FROM (%s) s(k) WHERE k IS NOT NULL ORDER BY k);\n',
				(SELECT string_agg(x, E'\n\t\t\tUNION ALL ') FROM jsonb_array_elements_text(keys->op) x)) END
			|| CASE WHEN surgical->>op <> '' THEN
				-- the keys gathered from the transition tables first, so
				-- that the statement on the projection, planned again
				-- whenever the projection's statistics change, is simple.
				-- A projection of one table only is written by the changes
				-- of its rows alone: the statement that changed them holds
				-- their locks, so no other transaction can be writing
				-- their documents, and nothing is locked
				CASE WHEN jsonb_array_length(nodes) = 1 THEN ''
				ELSE CASE WHEN jsonb_array_length(surgical_keys->op) = 0 THEN ''
					ELSE format(E'\t\tlocked := ARRAY(SELECT unnest(keys)\n\t\t\tUNION ALL %s);\n',
						(SELECT string_agg(x, E'\n\t\t\tUNION ALL ') FROM jsonb_array_elements_text(surgical_keys->op) x)) END
				|| CASE WHEN jsonb_array_length(lock_conds->op) = 0 THEN @extschema@.jsonb_ivm_lock_sql(format(
					'PERFORM FROM %1$I.%2$I t WHERE t.%3$I = ANY (%4$s) ORDER BY t.%3$I FOR NO KEY UPDATE',
					p.schema_name, p.table_name, p.key_column, keys_var))
				-- the documents that parents' merges reach, and no others
				-- (the usual case): a plain index scan, not a BitmapOr
				ELSE format(E'\t\tIF cardinality(%s) = 0 THEN\n%s\t\tELSE\n%s\t\tEND IF;\n', keys_var,
					@extschema@.jsonb_ivm_lock_sql(format(
						'PERFORM FROM %1$I.%2$I t WHERE %3$s ORDER BY t.%4$I FOR NO KEY UPDATE',
						p.schema_name, p.table_name,
						(SELECT string_agg(x, E'\n\t\t\t\tOR ') FROM jsonb_array_elements_text(lock_conds->op) x),
						p.key_column)),
					@extschema@.jsonb_ivm_lock_sql(format(
						'PERFORM FROM %1$I.%2$I t WHERE t.%3$I = ANY (%4$s)%5$s ORDER BY t.%3$I FOR NO KEY UPDATE',
						p.schema_name, p.table_name, p.key_column, keys_var,
						(SELECT string_agg(E'\n\t\t\t\tOR ' || x, '') FROM jsonb_array_elements_text(lock_conds->op) x))))
				END END
				|| format($f$		flag := current_setting('jsonb_ivm.maintenance', true);
		PERFORM set_config('jsonb_ivm.maintenance', 'on', true);%s
		PERFORM set_config('jsonb_ivm.maintenance', coalesce(flag, ''), true);
$f$,
				surgical->>op)
				ELSE '' END));
	END LOOP;

	-- Recomputing what the rows of an event reach, instead of patching:
	-- the documents the new rows (INSERT) and the old rows (DELETE) reach,
	-- after the locks of both
	FOREACH op IN ARRAY ARRAY['INSERT', 'DELETE', 'UPDATE'] LOOP
		recompute_branch := jsonb_set(recompute_branch, ARRAY[op], to_jsonb(
			CASE WHEN op <> 'DELETE' THEN locks->>'INSERT' ELSE '' END
			|| CASE WHEN op <> 'INSERT' THEN locks->>'DELETE' ELSE '' END
			|| format(E'\t\tkeys := ARRAY(SELECT DISTINCT k FROM (%s) s(k) WHERE k IS NOT NULL ORDER BY k);\n',
				(SELECT string_agg(x, E'\n\t\t\tUNION ALL ')
				 FROM (SELECT jsonb_array_elements_text(CASE WHEN op <> 'DELETE'
						THEN (keys->'INSERT') || (surgical_keys->'INSERT') ELSE '[]' END
						|| CASE WHEN op <> 'INSERT'
						THEN (keys->'DELETE') || (surgical_keys->'DELETE') ELSE '[]' END) x
					UNION ALL SELECT 'SELECT NULL') u))));
	END LOOP;
	-- A projection that reads another projection maintained from this same
	-- table (directly, or through projections it reads) is maintained
	-- twice by one statement on the table: by its own trigger and, nested,
	-- by its trigger on the projection it reads.  Whichever fires first
	-- sees the other's documents half done (an element's old value read
	-- from the projection already patched), so every change of this table
	-- recomputes the documents it reaches
	IF EXISTS (WITH RECURSIVE r(rel) AS (
			SELECT (n->>'relid')::oid FROM jsonb_array_elements(nodes) n
			UNION
			SELECT (qs->>'relid')::oid
			FROM r JOIN @extschema@.jsonb_ivm_projection q
				ON pg_catalog.to_regclass(format('%I.%I', q.schema_name, q.table_name)) = r.rel,
				jsonb_array_elements(q.sources) qs)
		SELECT FROM r JOIN @extschema@.jsonb_ivm_projection q
			ON pg_catalog.to_regclass(format('%I.%I', q.schema_name, q.table_name)) = r.rel,
			jsonb_array_elements(q.sources) qs
		WHERE (qs->>'relid')::oid = src) THEN
		branch := recompute_branch;
	-- A statement whose cascaded foreign-key actions change one row twice
	-- (two ON DELETE SET NULL of one row, or a row's key and its reference
	-- to itself) leaves two versions of the row in each transition table,
	-- which no surgical patch can pair: the documents every version reaches
	-- are recomputed
	ELSIF row_key IS NOT NULL THEN
		branch := jsonb_set(branch, '{UPDATE}', to_jsonb(format(
			E'\t\tIF EXISTS (SELECT FROM new_rows x GROUP BY %1$s HAVING count(*) > 1)\n'
			|| E'\t\t\tOR EXISTS (SELECT FROM old_rows x GROUP BY %1$s HAVING count(*) > 1) THEN\n'
			|| E'\t\t\t-- a row changed twice by cascaded actions: recompute\n'
			|| '%2$s'
			|| E'\t\tELSE\n%3$s\t\tEND IF;\n',
			row_key,
			regexp_replace(recompute_branch->>'UPDATE', '^(?=.)', E'\t', 'gn'),
			-- (left as indented as it is: explain's output quotes it)
			branch->>'UPDATE')));
	END IF;

	RETURN format($f$CREATE FUNCTION %1$I.%2$I() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $body$
-- Generated by jsonb_ivm_create_projection: keeps %1$I.%3$I equal to its
-- query after every statement on %4$I.%5$I.  See
-- jsonb_ivm_explain_projection(%9$L) for how each change is maintained.
DECLARE
	keys %6$s[];
	locked %6$s[];
	patched %6$s[];
	olds jsonb[];
	news jsonb[];
	flag text;
	rr boolean := current_setting('transaction_isolation') IN ('repeatable read', 'serializable');
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		-- no transition table: every document may have changed.  TRUNCATE
		-- waits for the table's writers, but a snapshot older than their
		-- commit does not see the documents they wrote
		IF rr THEN
			PERFORM %14$I.jsonb_ivm_check_snapshot(%15$L, '{}'::integer[]);
		END IF;
		PERFORM %1$I.%10$I(ARRAY(SELECT %7$I FROM %1$I.%3$I
			UNION SELECT %7$I FROM %8$s q ORDER BY 1));
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
%11$s	ELSIF TG_OP = 'UPDATE' THEN
%12$s	ELSE
%13$s	END IF;
	IF cardinality(keys) > 0 THEN
		PERFORM %1$I.%10$I(keys);
	END IF;
	RETURN NULL;
END
$body$$f$,
		p.schema_name, fname, p.table_name, source_schema, source_table, key_type,
		p.key_column, @extschema@.jsonb_ivm_definition_sql(p), format('%I.%I', p.schema_name, p.table_name),
		recompute, branch->>'INSERT', branch->>'UPDATE', branch->>'DELETE',
		'@extschema@', format('SELECT t.ctid FROM %I.%I t', p.schema_name, p.table_name));
END
$gen$;

COMMENT ON FUNCTION jsonb_ivm_source_sql(@extschema@.jsonb_ivm_projection, name, name, name, name, text) IS
'generator: the statement-level trigger function of one source table of a projection';

-- What Citus makes of table t: kind 'distributed' (by hash, on column
-- dist_column, in co-location group colocation), 'reference', 'local' (a
-- Citus local table, or another kind), or NULL where Citus is not
-- installed or t is not in its metadata.
CREATE FUNCTION jsonb_ivm_citus_table(t regclass,
	OUT kind text, OUT dist_column name, OUT colocation integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN;
	END IF;
	EXECUTE $q$SELECT CASE WHEN d.partmethod = 'h' THEN 'distributed'
			WHEN d.partmethod = 'n' AND d.repmodel = 't' THEN 'reference'
			ELSE 'local' END,
		CASE WHEN d.partmethod = 'h' THEN pg_catalog.column_to_column_name(d.logicalrelid, d.partkey) END,
		d.colocationid
		FROM pg_catalog.pg_dist_partition d WHERE d.logicalrelid = $1$q$
		INTO kind, dist_column, colocation USING t;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_citus_table(regclass) IS
'what Citus makes of a table: distributed (and by which column), reference, local, or nothing';

-- Citus: what projection p (its sources analyzed) is, and an error for
-- every layout its generated maintenance cannot keep right.
-- Citus fires the triggers of a distributed or reference table on each
-- shard, on the node that holds it, and plans no query that joins a
-- transition table with a table of its metadata: the maintenance runs
-- per shard group, on the shards themselves, so every row a document
-- reads must be on the node of the document's shard.  That holds when
-- the root is distributed by its key, every other distributed table is
-- co-located with it and linked by its distribution column to the
-- distribution column of the distributed table above it, and the rest
-- are reference tables (replicated to every node).  The projection is
-- then distributed by its key, co-located with the root.  When the root
-- is a reference table, so must every other table be, and the projection
-- is a reference table: each node maintains its own copy.  Returns
-- 'distributed', 'reference', or NULL when no table is Citus's.
CREATE FUNCTION jsonb_ivm_citus_layout(p @extschema@.jsonb_ivm_projection)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n jsonb;
	up jsonb;
	t record;
	u record;
	r record;
	rel regclass;
	hint text := 'Distribute the root table by its primary key, every table whose rows belong to one document co-located with it by the column that links them, and make the others reference tables.';
BEGIN
	r := @extschema@.jsonb_ivm_citus_table((p.sources->0->>'relid')::oid);
	IF NOT EXISTS (SELECT FROM jsonb_array_elements(p.sources) v
			WHERE (@extschema@.jsonb_ivm_citus_table((v->>'relid')::oid)).kind IS NOT NULL) THEN
		RETURN NULL;
	END IF;
	FOR i IN 0 .. jsonb_array_length(p.sources) - 1 LOOP
		n := p.sources->i;
		rel := (n->>'relid')::oid;
		t := @extschema@.jsonb_ivm_citus_table(rel);
		IF t.kind IS NULL OR t.kind = 'local' THEN
			RAISE EXCEPTION '% table % cannot be a source of a projection over Citus tables',
				CASE WHEN t.kind IS NULL THEN 'plain' ELSE 'Citus local' END, rel
				USING ERRCODE = 'feature_not_supported',
				DETAIL = 'The projection''s maintenance runs on the nodes that hold the shards of its documents, where this table is not.',
				HINT = hint;
		ELSIF i = 0 AND t.kind = 'distributed' AND t.dist_column <> n->>'col' THEN
			RAISE EXCEPTION 'root table % of a projection over Citus tables must be distributed by its primary key %',
				rel, quote_ident(n->>'col')
				USING ERRCODE = 'feature_not_supported',
				DETAIL = 'The projection is distributed by its key, co-located with its root table.',
				HINT = format('SELECT create_distributed_table(%L, %L);', rel::text, n->>'col');
		ELSIF i > 0 AND t.kind = 'distributed' THEN
			up := p.sources->((n->>'up')::integer);
			u := @extschema@.jsonb_ivm_citus_table((up->>'relid')::oid);
			IF t.colocation IS DISTINCT FROM r.colocation OR t.dist_column <> n->>'col'
				OR u.kind <> 'distributed' OR u.dist_column <> n->>'up_col' THEN
				RAISE EXCEPTION 'distributed table % is not co-located with the documents of projection %.%',
					rel, quote_ident(p.schema_name), quote_ident(p.table_name)
					USING ERRCODE = 'feature_not_supported',
					DETAIL = format('A document reads the rows of %s whose %I equals %I of %s%s.',
						rel, n->>'col', n->>'up_col', (up->>'relid')::oid::regclass,
						CASE WHEN u.kind = 'distributed' THEN format(', which is distributed by %I', u.dist_column)
							ELSE ', a reference table' END),
					HINT = CASE WHEN u.kind = 'distributed' AND u.dist_column = n->>'up_col'
						THEN format('SELECT create_distributed_table(%L, %L, colocate_with => %L);',
							rel::text, n->>'col', (p.sources->0->>'relid')::oid::regclass::text)
						ELSE 'Make it a reference table, or ' || lower(left(hint, 1)) || substr(hint, 2) END;
			END IF;
		END IF;
	END LOOP;
	RETURN r.kind;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_citus_layout(@extschema@.jsonb_ivm_projection) IS
'what a projection of Citus tables is (distributed, reference) or NULL for plain tables, or an error when their layout does not keep each document''s rows on one node';

-- The name of projection's trigger for op on its sources.  On Citus the
-- TRUNCATE trigger must fire after Citus's, truncate_trigger_<oid>, which
-- empties the shards: triggers fire in name order, and truncated_...
-- sorts after truncate_....
CREATE FUNCTION jsonb_ivm_trigger_name(projection name, op text, citus boolean)
RETURNS name
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN citus AND op = 'truncate' THEN 'truncated_' || left(projection, 44) || '_ivm'
		ELSE left(projection, 44) || '_ivm_' || op END::name
$$;

COMMENT ON FUNCTION jsonb_ivm_trigger_name(name, text, boolean) IS
'the name of a projection''s trigger on its sources';

-- The statement that creates projection p's trigger for op on source
-- table s.t, executing fn (a qualified function call); an error when the
-- table has a trigger of that name (another projection's of the same name
-- in another schema, or one of the user's)
CREATE FUNCTION jsonb_ivm_trigger_sql(p @extschema@.jsonb_ivm_projection, op text,
	s name, t name, citus boolean, fn text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tg name := @extschema@.jsonb_ivm_trigger_name(p.table_name, op, citus);
	other text;
BEGIN
	IF EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = format('%I.%I', s, t)::regclass
			AND g.tgname = tg) THEN
		SELECT format(' (of projection %I.%I)', q.schema_name, q.table_name) INTO other
		FROM @extschema@.jsonb_ivm_projection q
		WHERE @extschema@.jsonb_ivm_trigger_name(q.table_name, op, citus) = tg
			AND EXISTS (SELECT FROM jsonb_array_elements(q.sources) v
				WHERE v->>'schema' = s AND v->>'table' = t);
		RAISE EXCEPTION 'cannot create the triggers of projection %.% on table %.%',
				quote_ident(p.schema_name), quote_ident(p.table_name), quote_ident(s), quote_ident(t)
			USING ERRCODE = 'duplicate_object',
				DETAIL = format('Table %I.%I has a trigger named "%s" already%s.', s, t, tg, coalesce(other, '')),
				HINT = 'The triggers of a projection are named after the first 44 bytes of its table''s name: give the projection another name.';
	END IF;
	RETURN format('CREATE TRIGGER %I AFTER %s ON %I.%I %s FOR EACH STATEMENT EXECUTE FUNCTION %s',
		tg, upper(op), s, t,
		CASE op WHEN 'insert' THEN 'REFERENCING NEW TABLE AS new_rows'
			WHEN 'update' THEN 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
			WHEN 'delete' THEN 'REFERENCING OLD TABLE AS old_rows' ELSE '' END,
		fn);
END
$$;

COMMENT ON FUNCTION jsonb_ivm_trigger_sql(@extschema@.jsonb_ivm_projection, text, name, name, boolean, text) IS
'generator: the statement that creates a projection''s trigger on a source';

-- Citus: the maintenance of projection p of Citus tables (its table
-- distributed, co-located with its root, or a reference table whose copy
-- on each node is its one shard) on each of its shard groups:
-- the generated functions of plain projections, generated again over the
-- group's shards (the query's tables renamed by the analyzer), named
-- base_N for projection shard N, created on the coordinator (Citus
-- creates them on every node), and the triggers that run them on the
-- sources (Citus creates those on every shard).  Returns the functions.
CREATE FUNCTION jsonb_ivm_citus_maintenance(p @extschema@.jsonb_ivm_projection,
	key_type text)
RETURNS name[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	proj regclass := format('%I.%I', p.schema_name, p.table_name)::regclass;
	columns name[] := ARRAY(SELECT a.attname FROM pg_attribute a
		WHERE a.attrelid = proj AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum);
	definition text;
	rels oid[] := ARRAY(SELECT DISTINCT (v->>'relid')::oid FROM jsonb_array_elements(p.sources) v ORDER BY 1);
	names text[];
	sh record;
	src record;
	a jsonb;
	ps @extschema@.jsonb_ivm_projection;
	recompute name;
	fname name;
	op text;
	used name[] := '{}';
BEGIN
	PERFORM set_config('search_path', 'pg_catalog', true);
	definition := pg_get_viewdef(format('%I.%I', p.schema_name, p.definition_view)::regclass);
	PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
	-- shard_name() leaves out the schema public: the shard's schema is its
	-- table's
	FOR sh IN EXECUTE 'SELECT s.shardid, s.shardminvalue, i[array_upper(i, 1)] AS name
		FROM pg_catalog.pg_dist_shard s, parse_ident(pg_catalog.shard_name(s.logicalrelid, s.shardid)) i
		WHERE s.logicalrelid = $1 ORDER BY s.shardid' USING proj
	LOOP
		EXECUTE 'SELECT array_agg(n ORDER BY r.o, n.o) FROM unnest($1) WITH ORDINALITY r(rel, o),
			LATERAL (SELECT x.logicalrelid, pg_catalog.shard_name(x.logicalrelid, x.shardid) FROM pg_catalog.pg_dist_shard x
				WHERE x.logicalrelid = r.rel AND (x.shardminvalue IS NULL OR x.shardminvalue = $2)) s(rel, name),
			LATERAL parse_ident(s.name) i,
			LATERAL unnest(ARRAY[(SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = s.rel),
				i[array_upper(i, 1)]]) WITH ORDINALITY n(n, o)'
			INTO names USING rels, sh.shardminvalue;
		IF cardinality(names) <> 2 * cardinality(rels) THEN
			RAISE EXCEPTION 'shard % of projection % has no co-located shard of every table it reads', sh.shardid, proj
				USING ERRCODE = 'object_not_in_prerequisite_state';
		END IF;
		a := @extschema@.jsonb_ivm_analyze_projection(definition, rels, names);
		-- the description over the shards: names and the SQL that
		-- carries them from the renamed analysis, the rest (the columns
		-- documents are found by) as the projection's
		ps := p;
		ps.table_name := sh.name;
		ps.sources := (SELECT jsonb_agg(v.v || jsonb_build_object('schema', w.v->'schema', 'table', w.v->'table',
					'joins', w.v->'joins', 'merge', w.v->'merge') ORDER BY v.k)
			FROM jsonb_array_elements(p.sources) WITH ORDINALITY v(v, k)
			JOIN jsonb_array_elements(a->'nodes') WITH ORDINALITY w(v, k) USING (k));
		ps.sources := jsonb_set(ps.sources, '{0,definition}', a->'definition');
		recompute := left(p.table_name, 36) || '_ivm_recompute_' || sh.shardid;
		used := used || recompute;
		EXECUTE @extschema@.jsonb_ivm_recompute_sql(ps, recompute, key_type, columns);
		FOR src IN SELECT DISTINCT ON (v->>'relid') v->>'schema' AS s, v->>'table' AS t, k
			FROM jsonb_array_elements(ps.sources) WITH ORDINALITY x(v, k)
			ORDER BY v->>'relid', k
		LOOP
			fname := left(p.table_name, 40) || '_ivm' || src.k || '_' || sh.shardid;
			used := used || fname;
			EXECUTE @extschema@.jsonb_ivm_source_sql(ps, fname, src.s, src.t, recompute, key_type);
		END LOOP;
	END LOOP;

	-- the triggers, created by Citus on every shard of each source (the
	-- caller has set jsonb_ivm_citus_ddl_settings)
	FOR src IN SELECT DISTINCT ON (v->>'relid') v->>'schema' AS s, v->>'table' AS t, k
		FROM jsonb_array_elements(p.sources) WITH ORDINALITY x(v, k)
		ORDER BY v->>'relid', k
	LOOP
		FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
			EXECUTE @extschema@.jsonb_ivm_trigger_sql(p, op, src.s, src.t, true,
				format('%I.jsonb_ivm_shard_trigger(%L, %L, %L)',
					'@extschema@', p.schema_name, p.table_name, left(p.table_name, 40) || '_ivm' || src.k));
		END LOOP;
	END LOOP;
	RETURN used;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_citus_maintenance(@extschema@.jsonb_ivm_projection, text) IS
'on Citus: the generated functions of each shard group of a distributed projection, and the triggers that run them';

-- On Citus, for the rest of the transaction: what creating and dropping
-- the generated maintenance needs.  Triggers on distributed tables; one
-- connection a node (Citus creates functions on every node over it, which
-- a parallel command before them would have opened more of); and DDL
-- propagation, whatever the caller's setting, so that the functions reach
-- every node and leave it.
CREATE FUNCTION jsonb_ivm_citus_ddl_settings()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT set_config('citus.enable_unsafe_triggers', 'on', true),
		set_config('citus.multi_shard_modify_mode', 'sequential', true),
		set_config('citus.enable_ddl_propagation', 'on', true);
$$;

COMMENT ON FUNCTION jsonb_ivm_citus_ddl_settings() IS
'on Citus: the settings, for the transaction, that creating and dropping a projection''s maintenance needs';

-- The triggers of projection p of Citus tables on its sources, those that
-- exist: they call jsonb_ivm_shard_trigger, so that dropping the
-- generated functions leaves them.  (Those of a plain projection go with
-- its functions, DROP FUNCTION ... CASCADE, which needs no ownership of
-- the sources.  Citus copies a TRUNCATE trigger to the shards it moves or
-- splits, and DROP TRIGGER leaves it there: it does nothing on a shard.
-- Dropping it from the workers would wait for this transaction's own
-- locks.)  Sets jsonb_ivm_citus_ddl_settings when it finds one.
CREATE FUNCTION jsonb_ivm_drop_source_triggers(p @extschema@.jsonb_ivm_projection)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
BEGIN
	FOR g IN SELECT DISTINCT t.tgname, n.nspname, c.relname
		FROM jsonb_array_elements(p.sources) v
		JOIN pg_namespace n ON n.nspname = v->>'schema'
		JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = v->>'table'
		JOIN pg_trigger t ON t.tgrelid = c.oid
		WHERE t.tgfoid = '@extschema@.jsonb_ivm_shard_trigger()'::regprocedure
			AND t.tgname IN (SELECT @extschema@.jsonb_ivm_trigger_name(p.table_name, op, true)
				FROM unnest(ARRAY['insert', 'update', 'delete', 'truncate']) op)
		ORDER BY 2, 3, 1
	LOOP
		PERFORM @extschema@.jsonb_ivm_citus_ddl_settings();
		EXECUTE format('DROP TRIGGER %I ON %I.%I', g.tgname, g.nspname, g.relname);
	END LOOP;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_drop_source_triggers(@extschema@.jsonb_ivm_projection) IS
'drop the triggers of a projection of Citus tables on its source tables';

-- On Citus: projection p with the maintenance of every shard group that
-- has none (after a shard split, which gives the shards new ids): the
-- shard groups' functions and the sources' triggers generated again.
CREATE FUNCTION jsonb_ivm_citus_regenerate(p @extschema@.jsonb_ivm_projection)
RETURNS @extschema@.jsonb_ivm_projection
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	proj regclass := format('%I.%I', p.schema_name, p.table_name)::regclass;
	missing boolean;
	f name;
BEGIN
	EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_shard s WHERE s.logicalrelid = $1
			AND NOT (left($2, 36) || ''_ivm_recompute_'' || s.shardid)::name = ANY ($3))'
		INTO missing USING proj, p.table_name, p.functions;
	IF NOT missing THEN
		RETURN p;
	END IF;
	PERFORM @extschema@.jsonb_ivm_citus_ddl_settings();
	PERFORM @extschema@.jsonb_ivm_drop_source_triggers(p);
	FOREACH f IN ARRAY p.functions[2:] LOOP
		EXECUTE format('DROP FUNCTION IF EXISTS %I.%I', p.schema_name, f);
	END LOOP;
	p.functions := p.functions[1:1] || @extschema@.jsonb_ivm_citus_maintenance(p,
		(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		 WHERE a.attrelid = proj AND a.attname = p.key_column));
	UPDATE @extschema@.jsonb_ivm_projection c SET functions = p.functions
	WHERE c.schema_name = p.schema_name AND c.table_name = p.table_name;
	RETURN p;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_citus_regenerate(@extschema@.jsonb_ivm_projection) IS
'on Citus: generate the maintenance of the shard groups that have none (after a shard split)';

-- The sources of projection p, its table just created from the query,
-- with the projection's column that holds the root's link (doc_col) on
-- every parent whose change merges into the documents linked to it: its
-- triggers find those documents by that column.  The key, or a column the
-- query outputs as the root's column itself, serves; otherwise the root
-- lists a hidden column to add (hidden: column name, root column), which
-- its merge sets too.
CREATE FUNCTION jsonb_ivm_doc_columns(p @extschema@.jsonb_ivm_projection)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	nodes jsonb := p.sources;
	root jsonb := nodes->0;
	taken name[] := ARRAY(SELECT a.attname FROM pg_attribute a
		WHERE a.attrelid = format('%I.%I', p.schema_name, p.table_name)::regclass
			AND a.attnum > 0 AND NOT a.attisdropped);
	hidden jsonb := '{}';
	n jsonb;
	col text;
	k integer;
BEGIN
	FOR i IN 1 .. jsonb_array_length(nodes) - 1 LOOP
		n := nodes->i;
		CONTINUE WHEN n->>'role' <> 'parent' OR (n->>'up')::integer <> 0 OR n->'merge' = 'null';
		col := CASE WHEN n->>'up_col' = root->>'col' THEN p.key_column END;
		col := coalesce(col, (SELECT key FROM jsonb_each_text(hidden) WHERE value = n->>'up_col'));
		col := coalesce(col, (SELECT c.v FROM jsonb_array_elements_text(nullif(root->'columns', 'null'))
				WITH ORDINALITY c(v, o)
			WHERE c.o % 2 = 1 AND root->'columns'->>(c.o::integer) = format('n.%I', n->>'up_col')
			LIMIT 1));
		IF col IS NULL THEN
			col := n->>'up_col';
			k := 1;
			WHILE col = ANY (taken) LOOP
				col := left(n->>'up_col', 60) || '_' || k;
				k := k + 1;
			END LOOP;
			taken := taken || col::name;
			hidden := hidden || jsonb_build_object(col, n->>'up_col');
			IF root->'merge' <> 'null' THEN
				root := jsonb_set(root, '{columns}', coalesce(nullif(root->'columns', 'null'), '[]')
					|| jsonb_build_array(col, format('n.%I', n->>'up_col')));
			END IF;
		END IF;
		nodes := jsonb_set(nodes, ARRAY[i::text], n || jsonb_build_object('doc_col', col));
	END LOOP;
	RETURN jsonb_set(nodes, '{0}', root || jsonb_build_object('hidden', hidden));
END
$$;

COMMENT ON FUNCTION jsonb_ivm_doc_columns(@extschema@.jsonb_ivm_projection) IS
'the sources of a projection with the columns its maintenance finds documents by';

-- Not SET search_path: the query and the name are read with the caller's,
-- as CREATE VIEW would read them; the work is done with a pinned one.
CREATE FUNCTION jsonb_ivm_create_projection(name text, query text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM @extschema@.jsonb_ivm_create_projection_in_path($1, $2,
		pg_catalog.current_setting('search_path'));
END
$$;

COMMENT ON FUNCTION jsonb_ivm_create_projection(text, text) IS
'create table name from query, fill it, and install the triggers that keep it equal to the query';

CREATE FUNCTION jsonb_ivm_create_projection_in_path(projection text, query text,
	caller_path text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	parts text[] := parse_ident(projection);
	p @extschema@.jsonb_ivm_projection;
	key_type text;
	columns name[];
	src record;
	fname name;
	recompute name;
	used name[] := '{}';
	op text;
	layout text;
	citus boolean;
BEGIN
	IF cardinality(parts) > 2 THEN
		RAISE EXCEPTION 'improper projection name (too many dotted names): %', projection
			USING ERRCODE = 'syntax_error';
	END IF;
	-- read the query and the name as the caller would
	PERFORM set_config('search_path', caller_path, true);
	p.schema_name := CASE WHEN cardinality(parts) = 2 THEN parts[1] ELSE current_schema() END;
	IF p.schema_name IS NULL THEN
		RAISE EXCEPTION 'no schema has been selected to create in'
			USING ERRCODE = 'invalid_schema_name';
	END IF;
	p.table_name := parts[cardinality(parts)];
	IF to_regclass(format('%I.%I', p.schema_name, p.table_name)) IS NOT NULL THEN
		RAISE EXCEPTION 'relation "%" already exists', p.table_name
			USING ERRCODE = 'duplicate_table';
	END IF;
	p.query := query;
	p.sources := @extschema@.jsonb_ivm_analyze_projection(query);
	p.key_column := p.sources->>'key';
	p.sources := p.sources->'nodes';
	layout := @extschema@.jsonb_ivm_citus_layout(p);
	citus := layout IS NOT NULL;
	IF citus THEN
		PERFORM @extschema@.jsonb_ivm_citus_ddl_settings();
		-- no write to a source between the fill and the triggers (Citus
		-- takes the lock on every node)
		EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE',
			(SELECT string_agg(DISTINCT (v->>'relid')::oid::regclass::text, ', ')
			 FROM jsonb_array_elements(p.sources) v));
	END IF;
	p.definition_view := left(p.table_name, 52) || '_definition';
	EXECUTE format('CREATE VIEW %I.%I AS %s', p.schema_name, p.definition_view, query);
	PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);

	-- the layout: the key as primary key, the ids maintenance searches
	-- documents by as plain indexed columns, no index on data, room for
	-- HOT updates, lz4 where the server has it (the indexes are built
	-- after the fill)
	EXECUTE format('CREATE TABLE %I.%I WITH (fillfactor = 70) AS SELECT * FROM %I.%I WITH NO DATA',
		p.schema_name, p.table_name, p.schema_name, p.definition_view);
	p.sources := @extschema@.jsonb_ivm_doc_columns(p);
	FOR src IN SELECT h.key, h.value FROM jsonb_each_text(p.sources->0->'hidden') h LOOP
		EXECUTE format('ALTER TABLE %I.%I ADD COLUMN %I %s', p.schema_name, p.table_name, src.key,
			(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
			 WHERE a.attrelid = (p.sources->0->>'relid')::oid AND a.attname = src.value));
	END LOOP;
	IF current_setting('server_version_num')::integer >= 140000
		AND EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression'
			AND 'lz4' = ANY (enumvals)) THEN
		EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN data SET COMPRESSION lz4',
			p.schema_name, p.table_name);
	END IF;
	IF layout = 'reference' THEN
		EXECUTE 'SELECT pg_catalog.create_reference_table($1)'
			USING format('%I.%I', p.schema_name, p.table_name)::regclass;
	ELSIF citus THEN
		EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3)'
			USING format('%I.%I', p.schema_name, p.table_name)::regclass, p.key_column::text,
				(p.sources->0->>'relid')::oid::regclass::text;
	ELSE
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I.%I'
			' FOR EACH STATEMENT EXECUTE FUNCTION %I.jsonb_ivm_guard()',
			left(p.table_name, 50) || '_ivm_guard', p.schema_name, p.table_name, '@extschema@');
	END IF;

	SELECT format_type(a.atttypid, a.atttypmod) INTO key_type
	FROM pg_attribute a
	WHERE a.attrelid = format('%I.%I', p.schema_name, p.table_name)::regclass
		AND a.attname = p.key_column;
	columns := ARRAY(SELECT a.attname FROM pg_attribute a
		WHERE a.attrelid = format('%I.%I', p.schema_name, p.table_name)::regclass
			AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum);

	-- the generated functions
	recompute := left(p.table_name, 48) || '_ivm_recompute';
	used := used || recompute;
	EXECUTE @extschema@.jsonb_ivm_recompute_sql(p, recompute, key_type, columns, citus);
	IF citus THEN
		used := used || @extschema@.jsonb_ivm_citus_maintenance(p, key_type);
	END IF;
	FOR src IN SELECT DISTINCT ON (v->>'schema', v->>'table') v->>'schema' AS s, v->>'table' AS t, k
		FROM jsonb_array_elements(p.sources) WITH ORDINALITY x(v, k)
		WHERE NOT citus
		ORDER BY v->>'schema', v->>'table', k
	LOOP
		fname := left(p.table_name, 30) || '_ivm_' || left(src.t, 28);
		IF fname = ANY (used) THEN
			fname := left(p.table_name, 28) || '_ivm' || src.k || '_' || left(src.t, 26);
		END IF;
		used := used || fname;
		EXECUTE @extschema@.jsonb_ivm_source_sql(p, fname, src.s, src.t, recompute, key_type);
		FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
			EXECUTE @extschema@.jsonb_ivm_trigger_sql(p, op, src.s, src.t, false,
				format('%I.%I()', p.schema_name, fname));
		END LOOP;
	END LOOP;
	p.functions := used;
	-- DROP EXTENSION drops them, with CASCADE the triggers that call them
	-- (which would fail without the extension's functions).  Not on
	-- Citus, which refuses to let a distributed function depend on an
	-- extension; there the triggers call jsonb_ivm_shard_trigger, which
	-- CASCADE drops with them
	IF NOT citus THEN
		FOREACH fname IN ARRAY used LOOP
			EXECUTE format('ALTER FUNCTION %I.%I DEPENDS ON EXTENSION jsonb_ivm', p.schema_name, fname);
		END LOOP;
	END IF;
	INSERT INTO @extschema@.jsonb_ivm_projection SELECT p.*;

	-- maintenance looks rows up by the columns that link the tables: say
	-- which of them no index leads with
	FOR src IN SELECT DISTINCT x.s, x.t, x.c FROM jsonb_array_elements(p.sources) n(v),
		LATERAL (VALUES (n.v->>'schema', n.v->>'table', n.v->>'col'),
			(p.sources->((n.v->>'up')::integer)->>'schema',
			 p.sources->((n.v->>'up')::integer)->>'table', n.v->>'up_col')) x(s, t, c)
		WHERE (n.v->>'up')::integer >= 0
			AND NOT EXISTS (SELECT FROM pg_index i JOIN pg_attribute a
					ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
				WHERE i.indrelid = format('%I.%I', x.s, x.t)::regclass AND a.attname = x.c)
		ORDER BY 1, 2, 3
	LOOP
		RAISE NOTICE 'no index of %.% starts with column %, which maintenance of % searches by',
			quote_ident(src.s), quote_ident(src.t), quote_ident(src.c), projection
			USING HINT = format('CREATE INDEX ON %I.%I (%I);', src.s, src.t, src.c);
	END LOOP;

	-- fill: the new table is empty and no other transaction sees it
	PERFORM set_config('jsonb_ivm.maintenance', 'on', true);
	EXECUTE format('INSERT INTO %I.%I (%s) %s', p.schema_name, p.table_name,
		(SELECT string_agg(format('%I', c), ', ') FROM unnest(columns) c),
		@extschema@.jsonb_ivm_rows_sql(p, columns));
	PERFORM set_config('jsonb_ivm.maintenance', '', true);
	EXECUTE format('ALTER TABLE %I.%I ADD PRIMARY KEY (%I)',
		p.schema_name, p.table_name, p.key_column);
	FOR src IN SELECT DISTINCT n.v->>'doc_col' AS key FROM jsonb_array_elements(p.sources) n(v)
		WHERE n.v->>'doc_col' <> p.key_column
			AND NOT EXISTS (SELECT FROM pg_index i JOIN pg_attribute a
					ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
				WHERE i.indrelid = format('%I.%I', p.schema_name, p.table_name)::regclass
					AND a.attname = n.v->>'doc_col')
		ORDER BY 1
	LOOP
		EXECUTE format('CREATE INDEX ON %I.%I (%I)', p.schema_name, p.table_name, src.key);
	END LOOP;
	IF citus THEN
		-- after the fill: the guard runs on the shards, where the fill's
		-- maintenance setting does not reach; Citus creates no TRUNCATE
		-- trigger on shards, and the distributed table's fires on the
		-- coordinator
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON %I.%I'
			' FOR EACH STATEMENT EXECUTE FUNCTION %I.jsonb_ivm_guard()',
			left(p.table_name, 50) || '_ivm_guard', p.schema_name, p.table_name, '@extschema@');
		EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I.%I'
			' FOR EACH STATEMENT EXECUTE FUNCTION %I.jsonb_ivm_guard()',
			left(p.table_name, 41) || '_ivm_guard_truncate', p.schema_name, p.table_name, '@extschema@');
	END IF;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_create_projection_in_path(text, text, text) IS
'jsonb_ivm_create_projection with the search path to read the query with';

CREATE FUNCTION jsonb_ivm_refresh_projection(name text)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
	p @extschema@.jsonb_ivm_projection := @extschema@.jsonb_ivm_projection_row($1);
BEGIN
	-- on Citus, after a shard split: the new shard groups' maintenance
	IF (@extschema@.jsonb_ivm_citus_table(pg_catalog.format('%I.%I',
			p.schema_name, p.table_name)::pg_catalog.regclass)).kind IS NOT NULL THEN
		p := @extschema@.jsonb_ivm_citus_regenerate(p);
	END IF;
	EXECUTE pg_catalog.format('SELECT %1$I.%2$I(ARRAY(SELECT %3$I FROM %1$I.%4$I UNION SELECT %3$I FROM %1$I.%5$I ORDER BY 1))',
		p.schema_name, p.functions[1], p.key_column, p.table_name, p.definition_view);
END
$$;

COMMENT ON FUNCTION jsonb_ivm_refresh_projection(text) IS
'rebuild a projection from its query, writing only the documents that differ (on Citus, after generating the maintenance of new shards)';

-- The key as text: one signature for every key type.
CREATE FUNCTION jsonb_ivm_check_projection(name text)
RETURNS TABLE (key text, problem text)
LANGUAGE plpgsql
AS $$
DECLARE
	p @extschema@.jsonb_ivm_projection := @extschema@.jsonb_ivm_projection_row($1);
	hidden jsonb := p.sources OPERATOR(pg_catalog.->) 0 OPERATOR(pg_catalog.->) 'hidden';
	columns name[];
	differs text[];
BEGIN
	-- the query's columns, then the hidden ones, which must equal the root
	-- row's
	SELECT pg_catalog.array_agg(c.name ORDER BY c.o, c.name),
		pg_catalog.array_agg(pg_catalog.format('t.%I::text IS DISTINCT FROM %s::text', c.name, c.expr) ORDER BY c.o, c.name)
	INTO columns, differs
	FROM (SELECT a.attname, pg_catalog.format('q.%I', a.attname), a.attnum
		FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = pg_catalog.format('%I.%I', p.schema_name, p.definition_view)::regclass
			AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
			AND a.attname OPERATOR(pg_catalog.<>) p.key_column
		UNION ALL
		SELECT h.key, pg_catalog.format('r.%I', h.value), 10000
		FROM pg_catalog.jsonb_each_text(hidden) h) c(name, expr, o);
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT coalesce(t.%3$I, q.%3$I)::text,
			CASE WHEN q.%3$I IS NULL THEN 'not in the query'
				WHEN t.%3$I IS NULL THEN 'missing from the projection'
				ELSE %6$s END
		FROM %1$I.%2$I t FULL JOIN %1$I.%4$I q ON q.%3$I = t.%3$I%7$s
		WHERE q.%3$I IS NULL OR t.%3$I IS NULL OR %5$s
		ORDER BY 1$q$,
		p.schema_name, p.table_name, p.key_column, p.definition_view,
		pg_catalog.array_to_string(differs, ' OR '),
		'concat_ws(''; '', ' || (SELECT pg_catalog.string_agg(pg_catalog.format(
			'CASE WHEN %s THEN %L END', d.e, d.c || ' differs'), ', ' ORDER BY d.o)
		 FROM ROWS FROM (pg_catalog.unnest(differs), pg_catalog.unnest(columns)) WITH ORDINALITY d(e, c, o)) || ')',
		CASE WHEN hidden OPERATOR(pg_catalog.<>) '{}' THEN pg_catalog.format(
			E'\n\t\tLEFT JOIN %I.%I r ON r.%I = t.%I',
			p.sources OPERATOR(pg_catalog.->) 0 OPERATOR(pg_catalog.->>) 'schema',
			p.sources OPERATOR(pg_catalog.->) 0 OPERATOR(pg_catalog.->>) 'table',
			p.sources OPERATOR(pg_catalog.->) 0 OPERATOR(pg_catalog.->>) 'col', p.key_column)
			ELSE '' END);
END
$$;

COMMENT ON FUNCTION jsonb_ivm_check_projection(text) IS
'the keys where a projection and its query differ (compared as text), with what differs; empty when equal';

CREATE FUNCTION jsonb_ivm_drop_projection(name text)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
	p @extschema@.jsonb_ivm_projection := @extschema@.jsonb_ivm_projection_row($1);
	f name;
	citus boolean := (@extschema@.jsonb_ivm_citus_table(pg_catalog.format('%I.%I',
		p.schema_name, p.table_name)::pg_catalog.regclass)).kind IS NOT NULL;
BEGIN
	IF citus THEN
		PERFORM @extschema@.jsonb_ivm_citus_ddl_settings();
		PERFORM @extschema@.jsonb_ivm_drop_source_triggers(p);
	END IF;
	-- CASCADE drops the triggers that call these functions, and only them
	FOREACH f IN ARRAY p.functions LOOP
		EXECUTE pg_catalog.format('DROP FUNCTION %I.%I CASCADE', p.schema_name, f);
	END LOOP;
	-- (the event trigger jsonb_ivm_dropped then drops the definition view
	-- and deletes the definition; when event triggers are off, the
	-- statements after this)
	BEGIN
		EXECUTE pg_catalog.format('DROP TABLE %I.%I', p.schema_name, p.table_name);
	EXCEPTION WHEN dependent_objects_still_exist THEN
		RAISE EXCEPTION 'cannot drop projection %.% because other objects depend on it',
			p.schema_name, p.table_name
			USING ERRCODE = 'dependent_objects_still_exist',
			DETAIL = (SELECT pg_catalog.string_agg(DISTINCT pg_catalog.format('%s depends on it',
					CASE WHEN c.table_name IS NOT NULL
						THEN pg_catalog.format('projection %I.%I', c.schema_name, c.table_name)
						ELSE pg_catalog.format('view %s', v.oid::regclass) END), ', ')
				FROM pg_catalog.pg_depend d
				JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
				JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
				LEFT JOIN @extschema@.jsonb_ivm_projection c
					ON c.definition_view OPERATOR(pg_catalog.=) v.relname
					AND c.schema_name OPERATOR(pg_catalog.=) (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = v.relnamespace)
				WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
					AND d.refobjid = pg_catalog.format('%I.%I', p.schema_name, p.table_name)::pg_catalog.regclass
					AND v.oid <> d.refobjid),
			HINT = 'Drop the projections that read it first.';
	END;
	IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.definition_view)) IS NOT NULL THEN
		EXECUTE pg_catalog.format('DROP VIEW %I.%I', p.schema_name, p.definition_view);
	END IF;
	DELETE FROM @extschema@.jsonb_ivm_projection c
	WHERE c.schema_name OPERATOR(pg_catalog.=) p.schema_name
		AND c.table_name OPERATOR(pg_catalog.=) p.table_name;
END
$$;

COMMENT ON FUNCTION jsonb_ivm_drop_projection(text) IS
'drop a projection: its table, triggers, generated functions and definition';

-- "id changes", "any of id, name changes": for explain.
CREATE FUNCTION jsonb_ivm_columns_change(columns jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN jsonb_array_length(columns) = 1 THEN columns->>0 || ' changes'
		ELSE 'any of ' || (SELECT string_agg(c, ', ') FROM jsonb_array_elements_text(columns) c)
			|| ' changes' END
$$;

COMMENT ON FUNCTION jsonb_ivm_columns_change(jsonb) IS
'explain''s wording for a change of one of the columns given';

-- How one source node is maintained for one kind of change (node 0 is
-- the root).
CREATE FUNCTION jsonb_ivm_node_maintenance(n jsonb, i integer, change text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN change = 'TRUNCATE' THEN 'refresh projection'
		WHEN i = 0 AND change = 'INSERT' THEN 'insert document'
		WHEN i = 0 AND change = 'DELETE' THEN 'delete document'
		WHEN n->'positional' <> 'null' THEN format(CASE change
			WHEN 'INSERT' THEN 'insert element at its position in %s'
			WHEN 'DELETE' THEN 'remove element from %s'
			ELSE 'remove element from %s and insert it at its position' END,
			n->'positional'->>0)
		WHEN (n->>'outer')::integer >= 0 THEN format('rebuild element at its position in %s',
			n->>'outer_key')
		WHEN change <> 'UPDATE' THEN 'recompute document'
		WHEN coalesce(n->'middle', 'null') <> 'null' THEN format(
			'remove element from %s and insert it at its position; recompute document when any of %s, %s changes',
			n->>'middle_key', n->>'col', n->>'down_col')
		WHEN n->'element' <> 'null' AND (n->>'moves')::boolean THEN format(
			'replace element in %1$s; remove element from %1$s and insert it at its position when %2$s; recompute document when %3$s changes',
			n->'element'->>0,
			@extschema@.jsonb_ivm_columns_change((SELECT jsonb_agg(c) FROM jsonb_array_elements_text(n->'compare') c
				WHERE c <> n->>'col')),
			n->>'col')
		WHEN n->'element' <> 'null' THEN format(
			'replace element in %s; recompute document when %s',
			n->'element'->>0, @extschema@.jsonb_ivm_columns_change(n->'compare'))
		WHEN n->'merge' = 'null' THEN 'recompute document'
		WHEN i = 0 AND n->'merge'->>0 = '' THEN format(
			'rebuild document from its row; recompute document when %s',
			@extschema@.jsonb_ivm_columns_change(n->'compare'))
		WHEN i = 0 THEN format('merge keys %s; recompute document when %s',
			(SELECT string_agg(m.key, ', ' ORDER BY m.o)
			 FROM jsonb_array_elements_text(n->'merge') WITH ORDINALITY m(key, o)
			 WHERE m.o % 2 = 1),
			@extschema@.jsonb_ivm_columns_change(n->'compare'))
		ELSE format('merge at path %s; recompute document when %s changes',
			n->'merge'->>0, n->>'col') END
$$;

COMMENT ON FUNCTION jsonb_ivm_node_maintenance(jsonb, integer, text) IS
'explain''s wording for how a change of one source node is maintained';

CREATE FUNCTION jsonb_ivm_explain_projection(name text)
RETURNS TABLE (source text, change text, maintenance text)
LANGUAGE sql STABLE
AS $$
	SELECT pg_catalog.format('%I.%I', n.v->>'schema', n.v->>'table'), c.change,
		pg_catalog.string_agg(DISTINCT @extschema@.jsonb_ivm_node_maintenance(n.v,
			(n.k)::integer OPERATOR(pg_catalog.-) 1, c.change), '; ')
	FROM @extschema@.jsonb_ivm_projection_row($1) p,
		LATERAL pg_catalog.jsonb_array_elements(p.sources) WITH ORDINALITY n(v, k),
		(VALUES (1, 'INSERT'), (2, 'UPDATE'), (3, 'DELETE'), (4, 'TRUNCATE')) c(o, change)
	GROUP BY n.v->>'schema', n.v->>'table', c.o, c.change
	ORDER BY pg_catalog.min(n.k), c.o
$$;

COMMENT ON FUNCTION jsonb_ivm_explain_projection(text) IS
'for every source table of a projection and kind of change, how the projection is maintained';
