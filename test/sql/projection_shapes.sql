-- Projections of every accepted shape, maintained through INSERT, UPDATE
-- (keys included), DELETE and TRUNCATE on every source table.  After each
-- statement, jsonb_ivm_check_projection must return no row, and the table
-- must print byte for byte as its query.
SET client_min_messages = warning;

CREATE TABLE tag (id integer PRIMARY KEY, label text NOT NULL);
CREATE TABLE customer (
	id integer PRIMARY KEY,
	name text NOT NULL,
	tier text,
	deleted_at timestamp
);
CREATE TABLE product (id integer PRIMARY KEY, title text NOT NULL, price numeric NOT NULL);
CREATE TABLE orders (
	id integer PRIMARY KEY,
	customer_id integer REFERENCES customer,
	placed date NOT NULL,
	total numeric NOT NULL,
	status text NOT NULL
);
CREATE TABLE order_line (
	order_id integer NOT NULL REFERENCES orders,
	line integer NOT NULL,
	product_id integer NOT NULL REFERENCES product,
	quantity integer NOT NULL,
	PRIMARY KEY (order_id, line)
);
CREATE TABLE customer_tag (
	customer_id integer NOT NULL REFERENCES customer,
	tag_id integer NOT NULL REFERENCES tag,
	since integer NOT NULL,
	PRIMARY KEY (customer_id, tag_id)
);

INSERT INTO tag VALUES (1, 'gold'), (2, 'early'), (3, 'b2b');
INSERT INTO customer VALUES (1, 'Ada', 'A', NULL), (2, 'Bob', NULL, NULL),
	(3, 'Cy', 'B', '2024-01-01'), (4, 'Di', 'A', NULL);
INSERT INTO product VALUES (1, 'bolt', 0.10), (2, 'nut', 0.050), (3, 'gear', 12.5);
INSERT INTO orders VALUES (10, 1, '2024-03-01', 10.50, 'open'),
	(11, 1, '2024-03-02', 3.00, 'shipped'), (12, 2, '2024-03-01', 7, 'open'),
	(13, NULL, '2024-03-05', 1.0, 'open');
INSERT INTO order_line VALUES (10, 1, 1, 5), (10, 2, 2, 10), (11, 1, 3, 1),
	(12, 1, 1, 70);
INSERT INTO customer_tag VALUES (1, 1, 2020), (1, 2, 2019), (2, 3, 2021);

\set ECHO none
\i test/lib/projection.sql
\set ECHO all

-- section: a root with a filter (soft deletes), a parent by LEFT JOIN, a
-- nested object, and an extra column

SELECT jsonb_ivm_create_projection('customer_doc', $q$
	SELECT c.id, c.tier,
		jsonb_build_object('id', c.id, 'name', c.name,
			'profile', jsonb_build_object('tier', coalesce(c.tier, 'none'),
				'upper', upper(c.name))) AS data
	FROM customer c
	WHERE c.deleted_at IS NULL$q$);

-- the NOTICEs name the columns maintenance searches by without an index
SET client_min_messages = notice;
SELECT jsonb_ivm_create_projection('order_doc', $q$
	SELECT o.id,
		jsonb_build_object('id', o.id, 'total', o.total, 'placed', o.placed,
			'customer', CASE WHEN c.id IS NULL THEN NULL
				ELSE jsonb_build_object('id', c.id, 'name', c.name) END,
			'lines', coalesce((
				SELECT jsonb_agg(jsonb_build_object('line', l.line, 'quantity', l.quantity,
						'product', p.title, 'price', p.price) ORDER BY l.line DESC)
				FROM order_line l JOIN product p ON p.id = l.product_id
				WHERE l.order_id = o.id AND l.quantity > 0), '[]'::jsonb)) AS data
	FROM orders o LEFT JOIN customer c ON c.id = o.customer_id$q$);
SET client_min_messages = warning;

-- section: a parent by scalar subquery, a projection's data in an array
-- (many-to-many through a link table, with the link's columns merged into
-- the element), an array without COALESCE (NULL when empty)

SELECT jsonb_ivm_create_projection('customer_full', $q$
	SELECT c.id,
		jsonb_build_object('id', c.id,
			'doc', (SELECT d.data FROM customer_doc d WHERE d.id = c.id),
			'tags', (SELECT jsonb_agg(jsonb_build_object('label', t.label)
						|| jsonb_build_object('since', ct.since) ORDER BY ct.since, ct.tag_id)
					 FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id
					 WHERE ct.customer_id = c.id),
			'orders', coalesce((SELECT jsonb_agg(od.data ORDER BY o.placed DESC, o.id)
					 FROM orders o JOIN order_doc od ON od.id = o.id
					 WHERE o.customer_id = c.id AND o.status <> 'cancelled'), '[]')) AS data
	FROM customer c$q$);

-- elements read from one table (tag), through a link table, no filter:
-- an UPDATE of a tag replaces its elements in place
SELECT jsonb_ivm_create_projection('customer_labels', $q$
	SELECT c.id,
		jsonb_build_object('labels', coalesce((SELECT jsonb_agg(jsonb_build_object('label', t.label) ORDER BY ct.tag_id)
			FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id
			WHERE ct.customer_id = c.id), '[]')) AS data
	FROM customer c$q$);

-- elements read from the correlated table itself, two descending sort
-- keys: rows are placed by position
SELECT jsonb_ivm_create_projection('customer_orders', $q$
	SELECT c.id,
		jsonb_build_object('orders', coalesce((SELECT jsonb_agg(jsonb_build_object('id', o.id, 'total', o.total)
				ORDER BY o.placed DESC, o.id DESC)
			FROM orders o WHERE o.customer_id = c.id), '[]')) AS data
	FROM customer c$q$);

-- arrays inside array elements: a customer's orders, each with its lines,
-- each line with its product read by a scalar subquery
SELECT jsonb_ivm_create_projection('customer_tree', $q$
	SELECT c.id,
		jsonb_build_object('name', c.name,
			'orders', coalesce((SELECT jsonb_agg(jsonb_build_object('id', o.id,
					'lines', coalesce((SELECT jsonb_agg(jsonb_build_object('line', l.line,
							'product', (SELECT jsonb_build_object('title', p.title, 'price', p.price)
								FROM product p WHERE p.id = l.product_id)) ORDER BY l.line)
						FROM order_line l WHERE l.order_id = o.id), '[]')) ORDER BY o.id)
				FROM orders o WHERE o.customer_id = c.id), '[]')) AS data
	FROM customer c$q$);

SELECT projection, key_column, source_tables FROM jsonb_ivm_projections ORDER BY 1;
SELECT * FROM jsonb_ivm_explain_projection('customer_doc');
SELECT * FROM jsonb_ivm_explain_projection('order_doc');
SELECT * FROM jsonb_ivm_explain_projection('customer_full');
SELECT * FROM jsonb_ivm_explain_projection('customer_labels');
SELECT * FROM jsonb_ivm_explain_projection('customer_orders');
SELECT * FROM jsonb_ivm_explain_projection('customer_tree');
SELECT * FROM all_checks();
SELECT id, data FROM customer_full ORDER BY id;

-- section: root changes

INSERT INTO customer VALUES (5, 'Eve', NULL, NULL);
SELECT * FROM all_checks();
UPDATE customer SET name = 'Ada L.' WHERE id = 1;
SELECT * FROM all_checks();
UPDATE customer SET deleted_at = now() WHERE id = 4;	-- leaves customer_doc
SELECT * FROM all_checks();
UPDATE customer SET deleted_at = NULL WHERE id = 3;		-- enters customer_doc
SELECT * FROM all_checks();
UPDATE customer SET id = 50 WHERE id = 5;				-- a key change
SELECT * FROM all_checks();
SELECT id, data FROM customer_doc ORDER BY id;
DELETE FROM customer WHERE id = 50;
SELECT * FROM all_checks();
UPDATE orders SET total = 10.500 WHERE id = 10;			-- same value, other scale
SELECT * FROM all_checks();
SELECT data->'total' AS total FROM order_doc WHERE id = 10;
UPDATE orders SET id = 14 WHERE id = 13;
SELECT * FROM all_checks();

-- section: parent changes and moves, NULL foreign keys

UPDATE orders SET customer_id = 2 WHERE id = 11;
SELECT * FROM all_checks();
UPDATE orders SET customer_id = NULL WHERE id = 12;
SELECT * FROM all_checks();
UPDATE orders SET customer_id = 4 WHERE id = 14;
SELECT * FROM all_checks();
UPDATE customer SET name = 'Bob B.' WHERE id = 2;
SELECT * FROM all_checks();

-- section: child changes: insert at the order position, update, move by
-- an order-key change, filter changes, delete

INSERT INTO order_line VALUES (10, 3, 3, 1), (11, 2, 1, 2);
SELECT * FROM all_checks();
UPDATE order_line SET quantity = 0 WHERE order_id = 10 AND line = 2;	-- leaves by the filter
SELECT * FROM all_checks();
UPDATE order_line SET line = 0 WHERE order_id = 10 AND line = 3;		-- moves
SELECT * FROM all_checks();
UPDATE order_line SET order_id = 12 WHERE order_id = 11 AND line = 2;	-- changes parent
SELECT * FROM all_checks();
UPDATE product SET price = 0.100, title = 'Bolt' WHERE id = 1;			-- a joined row
SELECT * FROM all_checks();
SELECT data->'lines' AS lines FROM order_doc WHERE id = 10;
UPDATE orders SET status = 'cancelled' WHERE id = 10;	-- leaves an array by a filter
SELECT * FROM all_checks();
UPDATE orders SET placed = '2024-02-01' WHERE id = 11;	-- moves in its array
SELECT * FROM all_checks();
DELETE FROM order_line WHERE order_id = 10 AND line = 0;
SELECT * FROM all_checks();
INSERT INTO customer_tag VALUES (4, 1, 2000), (4, 3, 2000);
SELECT * FROM all_checks();
UPDATE customer_tag SET since = 1999 WHERE customer_id = 1 AND tag_id = 1;
SELECT * FROM all_checks();
UPDATE tag SET label = 'platinum' WHERE id = 1;
SELECT * FROM all_checks();
INSERT INTO tag VALUES (4, 'new');
INSERT INTO customer_tag VALUES (3, 4, 2001);
SELECT * FROM all_checks();
UPDATE customer_tag SET tag_id = 2 WHERE customer_id = 3;		-- a link changes its other end
SELECT * FROM all_checks();
DELETE FROM tag WHERE id = 4;
SELECT * FROM all_checks();
UPDATE tag SET id = 40 WHERE id = 3 AND false;
SELECT * FROM all_checks();
SELECT data->'tags' AS tags FROM customer_full WHERE id = 4;
-- two tags print the same: their elements cannot be told apart, so the
-- documents holding both are recomputed
UPDATE tag SET label = 'early' WHERE id = 1;
SELECT * FROM all_checks();
SELECT id, data FROM customer_labels ORDER BY id;
UPDATE tag SET label = 'first' WHERE id = 1;
SELECT * FROM all_checks();
SELECT id, data FROM customer_labels ORDER BY id;
UPDATE tag SET label = upper(label);
SELECT * FROM all_checks();
DELETE FROM customer_tag WHERE customer_id = 2;
SELECT * FROM all_checks();
SELECT data->'tags' AS tags FROM customer_full WHERE id = 2;

-- section: elements placed by position: several rows of one group in one
-- statement, ties on the first sort key, moves between groups
INSERT INTO orders VALUES (20, 1, '2024-03-02', 1, 'open'), (21, 1, '2024-03-02', 2, 'open'),
	(22, 1, '2023-01-01', 3, 'open'), (23, 2, '2025-01-01', 4, 'open');
SELECT * FROM all_checks();
SELECT data FROM customer_orders WHERE id = 1;
UPDATE orders SET placed = '2024-03-02' WHERE id IN (22, 10);
SELECT * FROM all_checks();
UPDATE orders SET customer_id = 2 WHERE id IN (20, 22);
SELECT * FROM all_checks();
UPDATE orders SET total = total + 1 WHERE customer_id = 2;
SELECT * FROM all_checks();
DELETE FROM orders WHERE id IN (20, 21, 23);
SELECT * FROM all_checks();
SELECT id, data FROM customer_orders ORDER BY id;

SELECT data FROM customer_tree WHERE id = 2;

-- section: bulk statements and TRUNCATE

UPDATE product SET price = price * 2;
SELECT * FROM all_checks();
INSERT INTO order_line SELECT o, g, 1 + g % 3, g FROM generate_series(100, 140) g, (VALUES (11), (12), (14)) v(o);
SELECT * FROM all_checks();
TRUNCATE customer_tag;
SELECT * FROM all_checks();
SELECT id, data->'tags' AS tags FROM customer_full ORDER BY id;
TRUNCATE order_line;
SELECT * FROM all_checks();

-- section: byte-exact: the table prints as its query
SELECT count(*) AS differing FROM (
	SELECT id, data::text FROM customer_full EXCEPT ALL SELECT id, data::text FROM customer_full_definition
	UNION ALL
	SELECT id, data::text FROM customer_full_definition EXCEPT ALL SELECT id, data::text FROM customer_full) x;

-- section: refresh repairs, check reports both ways
SET jsonb_ivm.maintenance = on;		-- the guard's switch, to damage the table on purpose
UPDATE order_doc SET data = '{}' WHERE id = 12;
DELETE FROM order_doc WHERE id = 14;
INSERT INTO order_doc VALUES (99, '{}');
RESET jsonb_ivm.maintenance;
SELECT * FROM jsonb_ivm_check_projection('order_doc');
SELECT jsonb_ivm_refresh_projection('order_doc');
SELECT * FROM all_checks();

-- section: the description under other names (the shards of a Citus shard
-- group): every schema-qualified reference to a renamed table, in the
-- query and in the SQL the description carries, and nothing else
CREATE SCHEMA "odd schema";
CREATE TABLE "odd schema"."Parent" (id int PRIMARY KEY, "na me" text);
CREATE TABLE "odd schema".kid (id int PRIMARY KEY, parent_id int, v text);
SELECT d->>'definition' AS definition,
	jsonb_path_query_array(d, '$.nodes[*].schema') AS schemas,
	jsonb_path_query_array(d, '$.nodes[*].table') AS tables,
	jsonb_path_query_array(d, '$.nodes[*].joins') AS joins,
	jsonb_path_query_array(d, '$.nodes[*].merge[1]') AS merged
FROM jsonb_ivm_analyze_projection($q$SELECT k.id, jsonb_build_object('v', k.v,
		'p', jsonb_build_object('n', p."na me"),
		's', (SELECT jsonb_build_object('n', s."na me") FROM "odd schema"."Parent" s WHERE s.id = k.id)) AS data
	FROM "odd schema" . kid k LEFT JOIN "odd schema"."Parent"/* c */p ON p.id = k.parent_id$q$,
	ARRAY['"odd schema"."Parent"'::regclass, '"odd schema".kid'::regclass]::oid[],
	ARRAY['odd schema', 'Parent_102008', 's2', 'kid 7']) d;
-- unqualified names stay (a view's definition deparsed with search_path =
-- pg_catalog qualifies every table), and so does a table not renamed
SET search_path = "odd schema", public;
SELECT jsonb_ivm_analyze_projection('SELECT k.id, to_jsonb(k.v) AS data FROM kid k',
	ARRAY['"odd schema".kid'::regclass]::oid[], ARRAY['s', 't'])->>'definition' AS definition;
SELECT jsonb_ivm_analyze_projection('SELECT k.id, to_jsonb(k.v) AS data FROM "odd schema".kid k',
	ARRAY['"odd schema"."Parent"'::regclass]::oid[], ARRAY['s', 't'])->>'definition' AS definition;
RESET search_path;
-- error: names must come in pairs
SELECT jsonb_ivm_analyze_projection('SELECT k.id, to_jsonb(k.v) AS data FROM "odd schema".kid k',
	ARRAY['"odd schema".kid'::regclass]::oid[], ARRAY['s']);
DROP SCHEMA "odd schema" CASCADE;

-- section: drop, in dependency order
\set SHOW_CONTEXT never
SELECT jsonb_ivm_drop_projection('customer_doc');		-- fails: customer_full reads it
\set SHOW_CONTEXT errors
SELECT jsonb_ivm_drop_projection('customer_full');
SELECT jsonb_ivm_drop_projection('customer_labels');
SELECT jsonb_ivm_drop_projection('customer_orders');
SELECT jsonb_ivm_drop_projection('customer_tree');
SELECT jsonb_ivm_drop_projection('customer_doc');
SELECT jsonb_ivm_drop_projection('order_doc');
SELECT count(*) FROM jsonb_ivm_projections;
SELECT tgname FROM pg_trigger WHERE NOT tgisinternal;
SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
	AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e');
DROP TABLE customer_tag, tag, order_line, product, orders, customer;
DROP FUNCTION all_checks(), recomputes(text);
