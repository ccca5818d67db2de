-- A parent's keys merged at their paths: values of any type (jsonb,
-- objects built from the parent's columns, plain columns converted as
-- jsonb_build_object converts them, NULL), hostile names, and each value
-- built once per parent row.  After each statement the projection equals
-- its query.
SET client_min_messages = warning;

CREATE TABLE "P ""k""" (k integer PRIMARY KEY, v1 text, "o'k" text, p integer, j jsonb);
CREATE TABLE "r""r" (id integer PRIMARY KEY, "P id" integer REFERENCES "P ""k""", name text);
CREATE INDEX ON "r""r" ("P id");
INSERT INTO "P ""k""" SELECT g, 'v' || g, 'o' || g, g, jsonb_build_object('g', g) FROM generate_series(1, 5) g;
INSERT INTO "r""r" SELECT g, g % 5 + 1, 'r' || g FROM generate_series(1, 20) g;
INSERT INTO "r""r" VALUES (21, NULL, 'orphan');

SELECT jsonb_ivm_create_projection('"tv ""h"""', $q$
	SELECT r.id, jsonb_build_object('name', r.name,
			'v1', jsonb_build_object('k', p.k, 'v1', p.v1),
			'k', p."o'k", 'p', p.p * 2, 'n', p.p::numeric(6, 2), 'j', p.j) AS data
	FROM "r""r" r LEFT JOIN "P ""k""" p ON p.k = r."P id"$q$);
SELECT * FROM jsonb_ivm_explain_projection('"tv ""h"""') WHERE change = 'UPDATE' ORDER BY 1;

-- section: the parent's values, one expression each, built in a subquery
-- over the changed parent rows, spliced into the documents found by the
-- projection's own column "P id", which the query does not output
SELECT regexp_replace(prosrc, '^.*(UPDATE public."tv ""h""" t SET data = .*WHERE t."P id" = p.k[^;]*;).*$', '\1')
FROM pg_proc WHERE proname = 'tv "h"_ivm_P "k"';

-- section: updates of every kind of value
UPDATE "P ""k""" SET v1 = v1 || '!', "o'k" = NULL WHERE k <= 3;
SELECT * FROM jsonb_ivm_check_projection('"tv ""h"""');
UPDATE "P ""k""" SET p = 7, j = '{"x": [1, 2.50]}';
SELECT * FROM jsonb_ivm_check_projection('"tv ""h"""');
UPDATE "P ""k""" SET j = NULL WHERE k = 2;
SELECT * FROM jsonb_ivm_check_projection('"tv ""h"""');
-- the hidden column holds the root's link
SELECT * FROM "tv ""h""" WHERE id IN (1, 2, 21) ORDER BY id;

-- section: the hidden column is checked against the root row, set by the
-- root's merge and rebuilt by refresh
BEGIN;
SET LOCAL jsonb_ivm.maintenance = 'on';
UPDATE "tv ""h""" SET "P id" = 4 WHERE id = 1;
SELECT * FROM jsonb_ivm_check_projection('"tv ""h"""');
ROLLBACK;
UPDATE "r""r" SET "P id" = 5 WHERE id IN (1, 2);
SELECT * FROM jsonb_ivm_check_projection('"tv ""h"""');
UPDATE "P ""k""" SET v1 = 'moved' WHERE k = 5;
SELECT * FROM jsonb_ivm_check_projection('"tv ""h"""');
SELECT id, "P id", data->'v1' AS v1 FROM "tv ""h""" WHERE id IN (1, 2) ORDER BY id;
BEGIN;
SET LOCAL jsonb_ivm.maintenance = 'on';
UPDATE "tv ""h""" SET "P id" = NULL WHERE id = 1;
COMMIT;
SELECT jsonb_ivm_refresh_projection('"tv ""h"""');
SELECT * FROM jsonb_ivm_check_projection('"tv ""h"""');

SELECT jsonb_ivm_drop_projection('"tv ""h"""');

-- section: a query that outputs the link itself gets no hidden column:
-- its documents are found by that column, indexed
SELECT jsonb_ivm_create_projection('"tv ""l"""', $q$
	SELECT r.id, r."P id" AS "link ""p""", jsonb_build_object('name', r.name, 'v1', p.v1) AS data
	FROM "r""r" r LEFT JOIN "P ""k""" p ON p.k = r."P id"$q$);
SELECT a.attname, i.indexrelid IS NOT NULL AS indexed
FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indkey[0] = a.attnum
WHERE a.attrelid = '"tv ""l"""'::regclass AND a.attnum > 0 ORDER BY a.attnum;
UPDATE "P ""k""" SET v1 = 'again' WHERE k IN (2, 5);
UPDATE "r""r" SET "P id" = 2 WHERE id = 1;
SELECT * FROM jsonb_ivm_check_projection('"tv ""l"""');
SELECT jsonb_ivm_drop_projection('"tv ""l"""');
DROP TABLE "r""r", "P ""k""";
