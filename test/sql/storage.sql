-- Stored documents: compressed and out-of-line (TOASTed) inputs, documents
-- over 1 MB, unchanged results that keep the stored value, and the
-- function properties that let the planner run them anywhere.
\set ECHO none
\i test/lib/helpers.sql
\set ECHO all

-- section: every document function (in C, on jsonb) is IMMUTABLE, PARALLEL
-- SAFE and not STRICT
SELECT p.proname, p.provolatile, p.proparallel, p.proisstrict
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jsonb_ivm')
	AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
	AND 'jsonb'::regtype = ANY (p.proargtypes::regtype[])
ORDER BY 1;

-- section: fixtures
-- out of line and uncompressed (STORAGE EXTERNAL), compressed in line,
-- compressed and out of line, and a document over 1 MB
CREATE TABLE ivm_docs (id int PRIMARY KEY, kind text, d jsonb);
ALTER TABLE ivm_docs ALTER COLUMN d SET STORAGE EXTERNAL;
INSERT INTO ivm_docs
	SELECT 1, 'external', jsonb_build_object('id', 1, 's', ivm_test.servers(300));
CREATE TABLE ivm_docs_c (id int PRIMARY KEY, kind text, d jsonb);
INSERT INTO ivm_docs_c
	SELECT 2, 'inline compressed', jsonb_build_object('id', 2, 'pad', repeat('x', 6000), 's', ivm_test.servers(40))
	UNION ALL
	SELECT 3, 'external compressed', jsonb_build_object('id', 3, 's', ivm_test.servers(3000))
	UNION ALL
	SELECT 4, 'over 1 MB', jsonb_build_object('id', 4, 's', ivm_test.servers(22000));
SELECT id, kind, octet_length(d::text) > 1000000 AS over_1mb,
	pg_column_size(d) < octet_length(d::text) / 2 AS compressed,
	pg_column_size(d) < 2000 AS in_line
FROM (SELECT * FROM ivm_docs UNION ALL SELECT * FROM ivm_docs_c) t ORDER BY id;

-- section: every function reads stored documents, byte for byte as native SQL
SELECT id, kind,
	ivm_test.same(jsonb_array_update_where(d, '{s}', 'id', '40', '{"ip": "9.9.9.9"}'),
		ivm_test.native_update(d, '{s}', 'id', '40', '{"ip": "9.9.9.9"}')) AS update_where,
	ivm_test.same(jsonb_array_upsert_where(d, '{s}', 'id', '0', '{"id": 0}'),
		jsonb_set(d, '{s}', (d -> 's') || '[{"id": 0}]')) AS upsert_where,
	ivm_test.same(jsonb_merge_at_path(d, '{"name": "n", "id": 1.0}', '{}'),
		d || '{"name": "n", "id": 1.0}') AS merge_at_path,
	jsonb_has_path_changed(d, jsonb_set(d, '{s,-1,ip}', '"x"'), '{s}') AS changed,
	jsonb_has_path_changed(d, jsonb_set(d, '{s,-1,ip}', '"x"'), '{id}') AS unchanged
FROM (SELECT * FROM ivm_docs UNION ALL SELECT * FROM ivm_docs_c) t ORDER BY id;

-- the last element of the 22,000-element array, as native SQL does it
SELECT ivm_test.same(jsonb_array_update_where(d, '{s}', 'id', '22000', '{"ip": "last"}'),
		jsonb_set(d, '{s,21999}', (d #> '{s,21999}') || '{"ip": "last"}')) AS last_element,
	ivm_test.canonical(jsonb_array_update_where(d, '{s}', 'id', '22000', '{"ip": "last"}')) AS canonical
FROM ivm_docs_c WHERE id = 4;

-- section: an unchanged result keeps the stored value
-- The functions return their argument itself when nothing changes, so an
-- UPDATE keeps the TOAST pointer instead of writing the document again.
CREATE TEMP TABLE chunks AS SELECT ivm_test.toast_chunks('ivm_docs') AS before;
UPDATE ivm_docs SET d = jsonb_array_update_where(d, '{s}', 'id', '100000', '{"ip": "x"}');
UPDATE ivm_docs SET d = jsonb_array_update_where(d, '{s}', 'id', '7', '{"id": 7}');
UPDATE ivm_docs SET d = jsonb_array_update_where(d, '{missing}', 'id', '7', '{"ip": "x"}');
UPDATE ivm_docs SET d = jsonb_array_update_where(d, '{s}', 'id', NULL, '{"ip": "x"}');
UPDATE ivm_docs SET d = jsonb_merge_at_path(d, '{"id": 1}', '{}');
UPDATE ivm_docs SET d = jsonb_merge_at_path(d, NULL, '{}');
UPDATE ivm_docs SET d = jsonb_array_upsert_where(d, '{s}', 'id', '5', d #> '{s,4}');
SELECT before = ivm_test.toast_chunks('ivm_docs') AS stored_value_kept FROM chunks;
-- a real change writes a new value
UPDATE ivm_docs SET d = jsonb_array_update_where(d, '{s}', 'id', '7', '{"ip": "x"}');
SELECT before = ivm_test.toast_chunks('ivm_docs') AS stored_value_kept,
	d #> '{s,6}' AS element
FROM chunks, ivm_docs;
-- two reads of the same stored value are unchanged whatever the path
SELECT jsonb_has_path_changed(a.d, b.d, '{s}') AS same_row,
	jsonb_has_path_changed(a.d, c.d, '{id}') AS other_row
FROM ivm_docs a, ivm_docs b, ivm_docs_c c WHERE c.id = 3;

DROP TABLE ivm_docs, ivm_docs_c;
