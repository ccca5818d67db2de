-- bench/citus_projection.sql: the orders of test/t/060_citus/sql/
-- distributed.sql at a benchmark's size, in schema :schema, for
-- bench/citus.pl.  psql variables:
--   schema     bg: tv_order is a generated projection; bn: a plain table
--              of the same documents that bench/citus_projection.pgbench
--              keeps by recomputing them from the view by key
--   citus      true: orders, lines and notes distributed by order id
--              (4 shards), customers and products reference tables
--   orders     orders (lines: 0 to 4 an order, 200 products, a customer
--              for 10 orders)
SET client_min_messages = warning;
SET citus.shard_count = 4;
CREATE SCHEMA :"schema";
SET search_path = :"schema", public;
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, tier text);
CREATE TABLE products (id integer PRIMARY KEY, sku text NOT NULL, name text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, status text NOT NULL);
CREATE TABLE order_lines (order_id integer NOT NULL, id integer NOT NULL,
	line_no integer NOT NULL, product_id integer NOT NULL, qty integer NOT NULL,
	PRIMARY KEY (order_id, id));
CREATE TABLE order_notes (order_id integer NOT NULL, id integer NOT NULL,
	body text NOT NULL, hidden boolean NOT NULL DEFAULT false,
	PRIMARY KEY (order_id, id));
CREATE INDEX ON orders (customer_id);
CREATE INDEX ON order_lines (product_id);
\if :citus
SELECT create_reference_table('customers');
SELECT create_reference_table('products');
SELECT create_distributed_table('orders', 'id');
SELECT create_distributed_table('order_lines', 'order_id', colocate_with => 'orders');
SELECT create_distributed_table('order_notes', 'order_id', colocate_with => 'orders');
\endif
INSERT INTO customers SELECT i, 'Customer ' || i, (ARRAY['gold', 'silver', NULL])[i % 3 + 1]
FROM generate_series(1, :orders / 10) i;
INSERT INTO products SELECT i, 'SKU-' || i, 'Product ' || i FROM generate_series(1, 200) i;
INSERT INTO orders SELECT i, CASE WHEN i % 7 <> 0 THEN i % (:orders / 10) + 1 END,
	(ARRAY['open', 'paid', 'shipped'])[i % 3 + 1]
FROM generate_series(1, :orders) i;
INSERT INTO order_lines SELECT o, o * 10 + j, j % 3 + 1, (o * 7 + j * 13) % 200 + 1, j + 1
FROM generate_series(1, :orders) o, generate_series(0, o % 5 - 1) j;
INSERT INTO order_notes SELECT o, o * 10 + j, 'note ' || j, j % 3 = 2
FROM generate_series(1, :orders) o, generate_series(0, o % 4 - 1) j;

SELECT format($q$SELECT o.id, jsonb_build_object('id', o.id, 'status', o.status,
	'customer', jsonb_build_object('id', cu.id, 'name', cu.name, 'tier', cu.tier),
	'lines', coalesce((SELECT jsonb_agg(jsonb_build_object('line_no', l.line_no, 'qty', l.qty,
			'product', jsonb_build_object('sku', p.sku, 'name', p.name)) ORDER BY l.line_no, l.id)
		FROM %1$I.order_lines l JOIN %1$I.products p ON p.id = l.product_id WHERE l.order_id = o.id), '[]'),
	'notes', (SELECT jsonb_agg(jsonb_build_object('id', n.id, 'body', n.body) ORDER BY n.id DESC)
		FROM %1$I.order_notes n WHERE n.order_id = o.id AND NOT n.hidden)) AS data
FROM %1$I.orders o LEFT JOIN %1$I.customers cu ON cu.id = o.customer_id$q$, :'schema') AS query
\gset
CREATE VIEW v_order AS :query;
\if :generated
SELECT jsonb_ivm_create_projection(:'schema' || '.tv_order', :'query');
\else
CREATE TABLE tv_order (id integer PRIMARY KEY, data jsonb NOT NULL) WITH (fillfactor = 70);
ALTER TABLE tv_order ALTER COLUMN data SET COMPRESSION lz4;
\if :citus
SELECT create_distributed_table('tv_order', 'id', colocate_with => 'orders');
\endif
INSERT INTO tv_order SELECT id, data FROM v_order;
\endif
ANALYZE;
