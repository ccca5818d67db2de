-- Orders as generated projections (fixtures/shop.sql): tv_order has three
-- levels in one query, order -> lines -> discounts, each line embedding its
-- product, the order its customer by LEFT JOIN; tv_order_line has two, a
-- line with its product and discounts.  A seeded random workload of every
-- change kind on every base table (test/lib/projection_workload.sql) runs
-- in transactions of one to three statements; after each,
-- jsonb_ivm_check_projection must be empty.  At the end the projections
-- equal their queries (the views v_order and v_order_line), byte for byte,
-- in both directions.
SET jit = off;
\set ECHO none
\i test/lib/helpers.sql
\i test/lib/projection_workload.sql
\i fixtures/shop.sql
\set ECHO all
SELECT generate_shop_data(100);
SELECT shop_create_projection('tv_order_line');
SELECT shop_create_projection('tv_order');

-- section: equal after creation
SELECT count(*) AS orders,
	count(*) FILTER (WHERE data->'lines' = '[]') AS without_lines,
	count(*) FILTER (WHERE data->'customer'->'id' = 'null') AS without_customer
FROM tv_order;
SELECT count(*) AS lines FROM tv_order_line;
SELECT * FROM jsonb_ivm_check_projection('tv_order');
SELECT * FROM jsonb_ivm_check_projection('tv_order_line');

-- section: random workload, checked after every transaction
CALL ivm_test.run_workload('shop', 5, 800, ARRAY['tv_order_line', 'tv_order']);
SELECT * FROM ivm_test.workload_summary ORDER BY kind;
SELECT * FROM ivm_test.workload_problems;
SELECT transaction, projection, problem FROM ivm_test.workload_problem
ORDER BY transaction, projection, problem LIMIT 10;

-- section: byte-exact comparison with the query, both ways
SELECT count(*) AS orders,
	count(*) FILTER (WHERE data->'lines' = '[]') AS without_lines,
	count(*) FILTER (WHERE data->'customer'->'id' = 'null') AS without_customer,
	(SELECT count(*) FROM tv_order, jsonb_array_elements(data->'lines') e
		WHERE e->'discounts' <> '[]') AS lines_with_discounts,
	count(*) FILTER (WHERE pg_column_size(data) > 2000) AS toasted
FROM tv_order;
SELECT count(*) AS lines FROM tv_order_line;
SELECT * FROM ivm_test.projection_differences('tv_order', 'v_order');
SELECT * FROM ivm_test.projection_differences('tv_order_line', 'v_order_line', 'id, order_id');

SET client_min_messages = warning;
SELECT jsonb_ivm_drop_projection('tv_order');
SELECT jsonb_ivm_drop_projection('tv_order_line');
DROP SCHEMA ivm_test CASCADE;
DROP VIEW v_order, v_order_line;
DROP TABLE shop_line_discounts, shop_order_lines, shop_orders, shop_products, shop_customers;
DROP FUNCTION generate_shop_data(integer), shop_projection_query(text),
	shop_create_projection(text);
