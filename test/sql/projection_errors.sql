-- Queries a projection refuses, each with an error that names the
-- construct; and nothing is left behind by a failed call.
SET client_min_messages = warning;
-- the errors without their CONTEXT lines, which number the lines of the
-- extension's functions
\set SHOW_CONTEXT never
CREATE TABLE parent (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE root (id integer PRIMARY KEY, parent_id integer REFERENCES parent,
	name text NOT NULL, score numeric);
CREATE TABLE child (id integer PRIMARY KEY, root_id integer NOT NULL REFERENCES root,
	pos integer NOT NULL, label text, UNIQUE (root_id, pos));
CREATE TABLE nokey (a integer, b text);
CREATE VIEW root_view AS SELECT * FROM root;

-- section: what is not a projection query
-- fails: no data column
SELECT jsonb_ivm_create_projection('p', 'SELECT r.id, r.name FROM root r');
-- fails: data is not jsonb
SELECT jsonb_ivm_create_projection('p', 'SELECT r.id, r.name AS data FROM root r');
-- fails: the first column is not the root's primary key
SELECT jsonb_ivm_create_projection('p', $$SELECT r.name, jsonb_build_object('id', r.id) AS data FROM root r$$);
-- fails: the root has no primary key
SELECT jsonb_ivm_create_projection('p', $$SELECT n.a, jsonb_build_object('b', n.b) AS data FROM nokey n$$);
-- fails: two statements
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, '{}'::jsonb AS data FROM root r; SELECT 1$$);
-- fails: not a SELECT
SELECT jsonb_ivm_create_projection('p', $$DELETE FROM root$$);
-- fails: the name exists
SELECT jsonb_ivm_create_projection('root', $$SELECT r.id, '{}'::jsonb AS data FROM root r$$);

-- section: unsupported constructs
-- fails: GROUP BY
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', r.name) AS data FROM root r GROUP BY r.id$$);
-- fails: DISTINCT
SELECT jsonb_ivm_create_projection('p', $$SELECT DISTINCT r.id, jsonb_build_object('n', r.name) AS data FROM root r$$);
-- fails: LIMIT
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', r.name) AS data FROM root r LIMIT 3$$);
-- fails: UNION
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', r.name) AS data FROM root r UNION SELECT 1, '{}'$$);
-- fails: a window function
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', row_number() OVER ()) AS data FROM root r$$);
-- fails: a volatile function
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', random()) AS data FROM root r$$);
-- fails: a filter that reads the clock
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', r.name) AS data FROM root r
	WHERE r.score < extract(epoch FROM now())$$);
-- fails: CURRENT_USER in the document
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', r.name, 'u', CURRENT_USER) AS data FROM root r$$);
-- fails: a view
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', r.name) AS data FROM root_view r$$);
-- fails: WITH
SELECT jsonb_ivm_create_projection('p', $$WITH x AS (SELECT * FROM root) SELECT x.id, jsonb_build_object('n', x.name) AS data FROM x$$);
-- fails: a subquery in FROM
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n', r.name) AS data FROM (SELECT * FROM root) r$$);
-- fails: another aggregate
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('n',
	(SELECT count(*) FROM child c WHERE c.root_id = r.id)) AS data FROM root r$$);
-- fails: jsonb_agg without ORDER BY
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('c',
	(SELECT jsonb_agg(c.label) FROM child c WHERE c.root_id = r.id)) AS data FROM root r$$);
-- fails: an order that ties
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('c',
	(SELECT jsonb_agg(c.label ORDER BY c.label) FROM child c WHERE c.root_id = r.id)) AS data FROM root r$$);
-- fails: non-equality correlation
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('c',
	(SELECT jsonb_agg(c.label ORDER BY c.id) FROM child c WHERE c.root_id > r.id)) AS data FROM root r$$);
-- fails: an uncorrelated subquery
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('c',
	(SELECT jsonb_agg(c.label ORDER BY c.id) FROM child c)) AS data FROM root r$$);
-- fails: EXISTS
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('c',
	EXISTS (SELECT FROM child c WHERE c.root_id = r.id)) AS data FROM root r$$);
-- fails: a subquery inside an array element that reads the root
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('c',
	(SELECT jsonb_agg(jsonb_build_object('x', (SELECT p.name FROM parent p WHERE p.id = r.parent_id)) ORDER BY c.id)
	 FROM child c WHERE c.root_id = r.id)) AS data FROM root r$$);
-- fails: a subquery in the WHERE of an array subquery
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('c',
	(SELECT jsonb_agg(c.label ORDER BY c.id) FROM child c
	 WHERE c.root_id = r.id AND c.pos > (SELECT 1))) AS data FROM root r$$);
-- fails: a parent joined by a column that is not unique
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('p', p.name) AS data
	FROM root r LEFT JOIN parent p ON p.name = r.name$$);
-- fails: a FROM list
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('p', p.name) AS data
	FROM root r, parent p WHERE p.id = r.parent_id$$);
-- fails: a subquery in WHERE
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, '{}'::jsonb AS data FROM root r
	WHERE EXISTS (SELECT FROM child c WHERE c.root_id = r.id)$$);

-- section: a projection of the same name in another schema, over the same table
CREATE SCHEMA other;
SELECT jsonb_ivm_create_projection('p', $$SELECT r.id, jsonb_build_object('name', r.name) AS data FROM root r$$);
-- fails: its triggers on root would have the names of public.p's
SELECT jsonb_ivm_create_projection('other.p', $$SELECT r.id, jsonb_build_object('name', r.name) AS data FROM root r$$);

-- section: a projection table dropped by DROP ... CASCADE takes its
-- definition, its definition view and its functions and triggers with it
DROP TABLE p CASCADE;
SELECT count(*) AS definitions FROM jsonb_ivm_projection;
SELECT count(*) AS functions FROM pg_proc WHERE proname LIKE 'p\_ivm%';
SELECT count(*) AS triggers FROM pg_trigger WHERE NOT tgisinternal;
INSERT INTO root VALUES (1, NULL, 'one', NULL);
SELECT jsonb_ivm_create_projection('other.p', $$SELECT r.id, jsonb_build_object('name', r.name) AS data FROM root r$$);
SELECT * FROM other.p;
DROP SCHEMA other CASCADE;
SELECT count(*) AS definitions FROM jsonb_ivm_projection;
-- the sources keep no trigger that would call a dropped function
UPDATE root SET name = 'uno';
DELETE FROM root;
-- a table the query reads, dropped with CASCADE: the projection goes with
-- its definition view, and a projection that embeds it with it
CREATE TABLE gone (id integer PRIMARY KEY, v text);
SELECT jsonb_ivm_create_projection('gone_doc', $$SELECT g.id, jsonb_build_object('v', g.v) AS data FROM gone g$$);
SELECT jsonb_ivm_create_projection('gone_full', $$SELECT g.id,
	jsonb_build_object('doc', d.data) AS data FROM gone g LEFT JOIN gone_doc d ON d.id = g.id$$);
-- fails: the definition views depend on it
DROP TABLE gone;
DROP TABLE gone CASCADE;
SELECT count(*) AS definitions FROM jsonb_ivm_projection;
SELECT relname FROM pg_class WHERE relname LIKE 'gone%';
SELECT count(*) AS functions FROM pg_proc WHERE proname LIKE 'gone%';

-- section: nothing half-created
SELECT count(*) AS projections FROM jsonb_ivm_projections;
SELECT relname FROM pg_class WHERE relname LIKE 'p\_%' OR relname = 'p';
SELECT count(*) AS triggers FROM pg_trigger WHERE NOT tgisinternal;

DROP VIEW root_view;
DROP TABLE child, root, parent, nokey;
