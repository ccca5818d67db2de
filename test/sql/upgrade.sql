-- Upgrading: 0.1 installs as released, ALTER EXTENSION UPDATE reaches the
-- current version, and both give the same functions as a fresh install.
SET client_min_messages = warning;
DROP EXTENSION jsonb_ivm CASCADE;
CREATE EXTENSION jsonb_ivm VERSION '0.1';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm';
SELECT jsonb_array_update_where('{"a": [{"id": 1}]}', '{a}', 'id', '1', '{"v": 0.1}');
SELECT jsonb_deep_merge('{}', '{}');
ALTER EXTENSION jsonb_ivm UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm';
SELECT jsonb_deep_merge('{"a": {"b": 1}}', '{"a": {"c": 2}}');
-- the functions of the updated extension, as a fresh install declares them
CREATE TEMP TABLE updated AS
	SELECT p.oid::regprocedure::text AS signature, p.provolatile, p.proparallel, p.proisstrict,
		obj_description(p.oid, 'pg_proc') AS comment
	FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
	WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
		AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jsonb_ivm');
DROP EXTENSION jsonb_ivm;
CREATE EXTENSION jsonb_ivm;
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
