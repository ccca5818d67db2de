-- Upgrading: 0.1 installs as released, ALTER EXTENSION UPDATE reaches 0.2
-- and then the current version, and the result has the same objects and
-- functions as a fresh install.
SET client_min_messages = warning;
DROP EXTENSION jsonb_ivm CASCADE;
CREATE EXTENSION jsonb_ivm VERSION '0.1';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm';
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', 'id', '1', '{"v": 0.1}');
SELECT jsonb_deep_merge('{}', '{}');
ALTER EXTENSION jsonb_ivm UPDATE TO '0.2';
SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm';
SELECT jsonb_deep_merge('{"a": {"b": 1}}', '{"a": {"c": 2}}');
ALTER EXTENSION jsonb_ivm UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm';
-- every member object, with its definition where it has one, and the
-- tables whose rows pg_dump keeps
CREATE TEMP VIEW extension_objects AS
	SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS object,
		CASE WHEN d.classid = 'pg_proc'::regclass THEN md5(pg_get_functiondef(d.objid))
			WHEN d.classid = 'pg_class'::regclass THEN
				(SELECT string_agg(format('%s %s %s', a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull), ', ' ORDER BY a.attnum)
				 FROM pg_attribute a WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped)
				|| coalesce(' ' || md5(pg_get_viewdef(d.objid)), '')
		END AS definition
	FROM pg_depend d
	WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jsonb_ivm')
		AND d.classid <> 'pg_type'::regclass	-- row types: members from 18 on
	UNION ALL
	SELECT 'config ' || c::regclass::text, NULL
	FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'jsonb_ivm'
	UNION ALL
	SELECT format('policy %s on %s', p.polname, p.polrelid::regclass), md5(pg_get_expr(p.polqual, p.polrelid))
	FROM pg_extension e, unnest(e.extconfig) c JOIN pg_policy p ON p.polrelid = c
	WHERE e.extname = 'jsonb_ivm';
CREATE TEMP TABLE updated_objects AS SELECT * FROM extension_objects;
-- the functions of the updated extension, as a fresh install declares them
CREATE TEMP TABLE updated AS
	SELECT p.oid::regprocedure::text AS signature, p.provolatile, p.proparallel, p.proisstrict,
		obj_description(p.oid, 'pg_proc') AS comment
	FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
	WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
		AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jsonb_ivm');
DROP EXTENSION jsonb_ivm;
CREATE EXTENSION jsonb_ivm;
CREATE TEMP TABLE fresh_objects AS SELECT * FROM extension_objects;
SELECT object FROM fresh_objects WHERE object NOT LIKE 'function %' ORDER BY 1;
SELECT 'only after the update' AS side, * FROM (SELECT * FROM updated_objects EXCEPT SELECT * FROM fresh_objects) x
UNION ALL
SELECT 'only in a fresh install', * FROM (SELECT * FROM fresh_objects EXCEPT SELECT * FROM updated_objects) y
ORDER BY 1, 2;
SELECT signature, provolatile, proparallel, proisstrict, comment IS NOT NULL AS commented
FROM updated ORDER BY 1;
SELECT count(*) AS differing FROM (
	(SELECT p.oid::regprocedure::text, p.provolatile, p.proparallel, p.proisstrict, obj_description(p.oid, 'pg_proc')
	 FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
	 WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
		AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jsonb_ivm')
	 EXCEPT SELECT * FROM updated)
	UNION ALL
	(SELECT * FROM updated EXCEPT
	 SELECT p.oid::regprocedure::text, p.provolatile, p.proparallel, p.proisstrict, obj_description(p.oid, 'pg_proc')
	 FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
	 WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
		AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jsonb_ivm'))) x;

-- DROP EXTENSION with projections: refused, naming the triggers; with
-- CASCADE the generated functions and the triggers go, the sources stay
-- writable, the projection stays as a plain table
CREATE TABLE ext_src (id integer PRIMARY KEY, v text);
SELECT jsonb_ivm_create_projection('ext_doc', $$SELECT s.id, jsonb_build_object('v', s.v) AS data FROM ext_src s$$);
-- fails: the triggers depend on it (the message alone: the order of the
-- objects it lists may vary)
\set VERBOSITY terse
DROP EXTENSION jsonb_ivm;
\set VERBOSITY default
SELECT count(*) AS triggers_on_the_extension_functions
FROM pg_depend d JOIN pg_trigger t ON t.oid = d.objid
WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_proc'::regclass
	AND d.refobjid IN (SELECT objid FROM pg_depend
		WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jsonb_ivm')
			AND deptype IN ('e', 'x'));
SET client_min_messages = warning;
DROP EXTENSION jsonb_ivm CASCADE;
RESET client_min_messages;
INSERT INTO ext_src VALUES (1, 'one');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid IN ('ext_src'::regclass, 'ext_doc'::regclass);
SELECT count(*) AS functions FROM pg_proc WHERE proname LIKE 'ext\_doc%';
DROP TABLE ext_doc;
DROP VIEW ext_doc_definition;
DROP TABLE ext_src;
CREATE EXTENSION jsonb_ivm;
