-- Seeded random workloads on the base tables of the three projection
-- fixtures (fixtures/cqrs.sql with fixtures/cqrs_projections.sql,
-- fixtures/blog.sql, fixtures/shop.sql), the driver that checks every
-- projection after every transaction, and the final byte-exact comparison.
-- Used by test/sql/projection_workload_*.sql and by the pgbench clients of
-- test/t/050_projection_stress.pl; load with \i after helpers.sql.
--
-- A step function runs one random statement drawn from its seed: every
-- change kind on every source table (INSERT, UPDATE with key changes,
-- DELETE, TRUNCATE and a refill, rows moving between parents, NULL foreign
-- keys, emptied arrays, soft delete and undelete, order-key changes, bulk
-- statements).  A statement that a constraint rejects rolls back to a
-- savepoint with everything its triggers did, as an application would.
-- Deadlocks and serialization failures are not caught: pgbench retries
-- them.
SET client_min_messages = warning;
-- the functions name tables that the fixtures create later
SET check_function_bodies = off;
CREATE SCHEMA IF NOT EXISTS ivm_test;

-- MINSTD: a random number generator of our own, so that the workload is
-- the same on every PostgreSQL version (random() changed in 15).
CREATE OR REPLACE FUNCTION ivm_test.rand(INOUT state bigint, bound integer, OUT value integer)
LANGUAGE sql IMMUTABLE AS $$
	SELECT (state * 48271) % 2147483647, (((state * 48271) % 2147483647) % bound)::integer
$$;

-- Five numbers drawn from a seed: a kind in [1, kinds] and four picks.
CREATE OR REPLACE FUNCTION ivm_test.draw(seed bigint, kinds integer,
	OUT kind integer, OUT a integer, OUT b integer, OUT c integer, OUT d integer)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	st bigint := seed % 2147483646 + 1;
BEGIN
	SELECT * INTO st, kind FROM ivm_test.rand(st, kinds);
	kind := kind + 1;
	SELECT * INTO st, a FROM ivm_test.rand(st, 1000003);
	SELECT * INTO st, b FROM ivm_test.rand(st, 1000003);
	SELECT * INTO st, c FROM ivm_test.rand(st, 1000);
	SELECT * INTO st, d FROM ivm_test.rand(st, 1000003);
END
$$;

-- An existing row's id, the x-th in id order (wrapping), or one in
-- sixteen times an id that does not exist (NULL when the table is empty).
CREATE OR REPLACE FUNCTION ivm_test.pick(rel regclass, x integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	id integer;
BEGIN
	IF x % 16 = 0 THEN
		RETURN -x;
	END IF;
	EXECUTE format('SELECT id FROM %s ORDER BY id OFFSET $1 %% greatest((SELECT count(*) FROM %s), 1) LIMIT 1',
		rel, rel) INTO id USING x;
	RETURN id;
END
$$;

-- The seed's schema: DNS servers, configurations, their mapping, allocations.
CREATE OR REPLACE FUNCTION ivm_test.cqrs_step(seed bigint,
	OUT kind text, OUT rows_changed bigint, OUT rejected integer)
LANGUAGE plpgsql
SET client_min_messages = warning		-- TRUNCATE ... CASCADE says what it cascades to
AS $$
DECLARE
	kinds text[] := ARRAY['server update', 'server payload', 'servers bulk update',
		'server insert', 'server delete', 'server key change', 'mapping insert',
		'mapping delete', 'priority change', 'server moves', 'mapping swaps server',
		'priorities bulk shift', 'server leaves all', 'configuration update',
		'configuration insert', 'configuration delete', 'configuration key change',
		'allocation update', 'allocation moves', 'allocation insert', 'allocation delete',
		'allocation key change', 'allocations bulk update', 'configuration cleared',
		'servers bulk join', 'truncate mapping', 'truncate allocations',
		'truncate servers', 'truncate configurations'];
	op integer;
	a integer;
	b integer;
	c integer;
	d integer;
	s integer;					-- a server
	nc integer;					-- a configuration
	al integer;					-- an allocation
	max_server integer;
	max_configuration integer;
	max_allocation integer;
BEGIN
	SELECT * INTO op, a, b, c, d FROM ivm_test.draw(seed, array_length(kinds, 1));
	-- emptying and truncating are rarer than filling
	IF op IN (13, 24) AND c % 3 <> 0 THEN
		op := 7;
	ELSIF op >= 26 AND c % 12 <> 0 THEN
		op := c % 25 + 1;
	END IF;
	SELECT coalesce(max(id), 0) INTO max_server FROM bench_dns_servers;
	SELECT coalesce(max(id), 0) INTO max_configuration FROM bench_network_configs;
	SELECT coalesce(max(id), 0) INTO max_allocation FROM bench_allocations;
	s := ivm_test.pick('bench_dns_servers', a);
	nc := ivm_test.pick('bench_network_configs', b);
	al := ivm_test.pick('bench_allocations', d);
	kind := kinds[op];
	rejected := 0;
	BEGIN
		CASE op
		WHEN 1 THEN
			UPDATE bench_dns_servers SET ip = '10.' || c || '.0.' || s, port = 53 + c % 7,
				status = CASE WHEN c % 3 = 0 THEN 'inactive' ELSE 'active' END
			WHERE id = s;
		WHEN 2 THEN
			UPDATE bench_dns_servers SET payload = CASE WHEN c % 2 = 0 THEN NULL ELSE repeat('p', c % 40) END
			WHERE id = s;
		WHEN 3 THEN
			UPDATE bench_dns_servers SET port = port + 1,
				status = CASE WHEN status = 'active' THEN 'inactive' ELSE 'active' END
			WHERE id % (2 + c % 5) = a % 3;
		WHEN 4 THEN
			INSERT INTO bench_dns_servers VALUES (max_server + 1, '8.8.' || c || '.1', 53, 'active',
				CASE WHEN c % 4 = 0 THEN 'payload ' || c END);
		WHEN 5 THEN
			DELETE FROM bench_dns_servers WHERE id = s;
		WHEN 6 THEN
			UPDATE bench_dns_servers SET id = max_server + 1
			WHERE id = CASE WHEN c % 2 = 0 THEN max_server ELSE s END;
		WHEN 7 THEN
			INSERT INTO bench_nc_dns_mapping VALUES (nc, s, c % 60 + 1);
		WHEN 8 THEN
			DELETE FROM bench_nc_dns_mapping
			WHERE network_configuration_id = nc AND dns_server_id = (
				SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
				ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
		WHEN 9 THEN
			UPDATE bench_nc_dns_mapping SET priority = c % 60 + 1
			WHERE network_configuration_id = nc AND dns_server_id = (
				SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
				ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
		WHEN 10 THEN
			UPDATE bench_nc_dns_mapping SET network_configuration_id = ivm_test.pick('bench_network_configs', d),
				priority = 60 + c % 40
			WHERE network_configuration_id = nc AND dns_server_id = (
				SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
				ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
		WHEN 11 THEN
			UPDATE bench_nc_dns_mapping SET dns_server_id = s
			WHERE network_configuration_id = nc AND dns_server_id = (
				SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
				ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
		WHEN 12 THEN
			UPDATE bench_nc_dns_mapping SET priority = priority + 1000 - (
				SELECT min(priority) FROM bench_nc_dns_mapping WHERE network_configuration_id = nc)
			WHERE network_configuration_id = nc;
		WHEN 13 THEN
			DELETE FROM bench_nc_dns_mapping WHERE dns_server_id = s;
		WHEN 14 THEN
			UPDATE bench_network_configs SET name = 'Network ' || c, gateway_ip = '172.16.' || c || '.1'
			WHERE id = nc;
		WHEN 15 THEN
			INSERT INTO bench_network_configs VALUES (max_configuration + 1, 'New ' || c,
				'10.1.' || c || '.1', '255.255.0.0', '2026-01-01 00:00:00+00');
		WHEN 16 THEN
			DELETE FROM bench_network_configs WHERE id = nc;
		WHEN 17 THEN
			UPDATE bench_network_configs SET id = max_configuration + 1
			WHERE id = CASE WHEN c % 2 = 0 THEN max_configuration ELSE nc END;
		WHEN 18 THEN
			UPDATE bench_allocations SET name = 'Allocation ' || c, storage_size_gb = c
			WHERE id = al;
		WHEN 19 THEN
			UPDATE bench_allocations SET network_configuration_id = CASE WHEN c % 5 = 0 THEN NULL ELSE nc END
			WHERE id = al;
		WHEN 20 THEN
			INSERT INTO bench_allocations VALUES (max_allocation + 1, 'Allocation ' || c,
				CASE WHEN c % 6 = 0 THEN NULL ELSE nc END, 'Machine-' || c, 100);
		WHEN 21 THEN
			DELETE FROM bench_allocations WHERE id = al;
		WHEN 22 THEN
			UPDATE bench_allocations SET id = max_allocation + 1 WHERE id = al;
		WHEN 23 THEN
			UPDATE bench_allocations SET storage_size_gb = storage_size_gb + 10
			WHERE network_configuration_id = nc OR (c % 4 = 0 AND network_configuration_id IS NULL);
		WHEN 24 THEN
			DELETE FROM bench_nc_dns_mapping WHERE network_configuration_id = nc;
		WHEN 25 THEN
			INSERT INTO bench_nc_dns_mapping
			SELECT nc, sv.id, 100 + c % 50 + row_number() OVER (ORDER BY sv.id)
			FROM bench_dns_servers sv
			WHERE sv.id % 7 = c % 7 AND NOT EXISTS (SELECT 1 FROM bench_nc_dns_mapping m
				WHERE m.network_configuration_id = nc AND m.dns_server_id = sv.id)
			ORDER BY sv.id LIMIT 3;
		WHEN 26 THEN
			TRUNCATE bench_nc_dns_mapping;
			PERFORM ivm_test.cqrs_refill_mapping(c);
		WHEN 27 THEN
			TRUNCATE bench_allocations;
			PERFORM ivm_test.cqrs_refill_allocations(c);
		WHEN 28 THEN
			TRUNCATE bench_dns_servers CASCADE;
			INSERT INTO bench_dns_servers
			SELECT i, '8.8.' || c || '.' || i, 53 + i % 3, 'active', NULL
			FROM generate_series(1, 12) i;
			PERFORM ivm_test.cqrs_refill_mapping(c);
		WHEN 29 THEN
			TRUNCATE bench_network_configs CASCADE;
			INSERT INTO bench_network_configs
			SELECT i, 'Config ' || i, '192.168.' || c % 256 || '.1', '255.255.255.0',
				'2026-01-01 00:00:00+00'::timestamptz + i * interval '1 day'
			FROM generate_series(1, 20) i;
			PERFORM ivm_test.cqrs_refill_mapping(c);
			PERFORM ivm_test.cqrs_refill_allocations(c);
		END CASE;
		GET DIAGNOSTICS rows_changed = ROW_COUNT;
	EXCEPTION WHEN integrity_constraint_violation THEN
		rows_changed := 0;
		rejected := 1;
	END;
END
$$;

-- Every configuration gets the servers whose id matches it, in one bulk
-- statement (returns how many links it made).
CREATE OR REPLACE FUNCTION ivm_test.cqrs_refill_mapping(c integer)
RETURNS bigint
LANGUAGE sql AS $$
	INSERT INTO bench_nc_dns_mapping
	SELECT nc.id, s.id, row_number() OVER (PARTITION BY nc.id ORDER BY s.id DESC)
	FROM bench_network_configs nc
	JOIN bench_dns_servers s ON (s.id + nc.id + c) % 4 = 0
	ON CONFLICT DO NOTHING
	RETURNING 1
$$;

-- 60 allocations spread over the configurations, one in six without one.
CREATE OR REPLACE FUNCTION ivm_test.cqrs_refill_allocations(c integer)
RETURNS bigint
LANGUAGE sql AS $$
	INSERT INTO bench_allocations
	SELECT i, 'Allocation ' || i,
		CASE WHEN i % 6 <> 0 THEN (SELECT id FROM bench_network_configs ORDER BY id
			OFFSET (i + c) % greatest((SELECT count(*) FROM bench_network_configs), 1) LIMIT 1) END,
		'Machine-' || i, 100 + i
	FROM generate_series(1, 60) i
	ON CONFLICT DO NOTHING
	RETURNING 1
$$;

-- The blog: articles and tags many-to-many, soft deletes, comments.
CREATE OR REPLACE FUNCTION ivm_test.blog_step(seed bigint,
	OUT kind text, OUT rows_changed bigint, OUT rejected integer)
LANGUAGE plpgsql
SET client_min_messages = warning		-- TRUNCATE ... CASCADE says what it cascades to
AS $$
DECLARE
	kinds text[] := ARRAY['article update', 'article soft delete', 'article undelete',
		'article insert', 'article delete', 'article key change', 'article changes author',
		'author update', 'author delete', 'author insert', 'tag rename', 'tag soft delete',
		'tag undelete', 'tag insert', 'tag delete', 'tag key change', 'link insert',
		'link delete', 'link position change', 'link moves article', 'link switches tag',
		'comment insert', 'comment update', 'comment hidden toggle', 'comment moves article',
		'comment delete', 'author articles soft delete toggle', 'comments bulk votes',
		'links bulk positions', 'article comments cleared', 'truncate comments',
		'truncate links', 'truncate articles', 'truncate tags', 'truncate authors'];
	op integer;
	a integer;
	b integer;
	c integer;
	d integer;
	ar integer;					-- an article
	tg integer;					-- a tag
	au integer;					-- an author
	cm integer;					-- a comment
	max_article integer;
	max_tag integer;
	max_author integer;
	max_comment integer;
BEGIN
	SELECT * INTO op, a, b, c, d FROM ivm_test.draw(seed, array_length(kinds, 1));
	IF op >= 31 AND c % 12 <> 0 THEN
		op := c % 30 + 1;
	END IF;
	SELECT coalesce(max(id), 0) INTO max_article FROM blog_articles;
	SELECT coalesce(max(id), 0) INTO max_tag FROM blog_tags;
	SELECT coalesce(max(id), 0) INTO max_author FROM blog_authors;
	SELECT coalesce(max(id), 0) INTO max_comment FROM blog_comments;
	ar := ivm_test.pick('blog_articles', a);
	tg := ivm_test.pick('blog_tags', b);
	au := ivm_test.pick('blog_authors', d);
	cm := ivm_test.pick('blog_comments', a + d);
	kind := kinds[op];
	rejected := 0;
	BEGIN
		CASE op
		WHEN 1 THEN
			UPDATE blog_articles SET title = 'Article ' || c,
				score = CASE WHEN c % 9 = 0 THEN NULL ELSE c / 8.0 END
			WHERE id = ar;
		WHEN 2 THEN
			UPDATE blog_articles SET deleted_at = '2026-02-01 00:00:00+00' WHERE id = ar AND deleted_at IS NULL;
		WHEN 3 THEN
			UPDATE blog_articles SET deleted_at = NULL WHERE id = ar AND deleted_at IS NOT NULL;
		WHEN 4 THEN
			INSERT INTO blog_articles VALUES (max_article + 1, CASE WHEN c % 4 <> 0 THEN au END,
				'Article ' || c, c / 4.0, CASE WHEN c % 10 = 0 THEN '2026-02-01 00:00:00+00'::timestamptz END);
		WHEN 5 THEN
			DELETE FROM blog_articles WHERE id = ar;
		WHEN 6 THEN
			UPDATE blog_articles SET id = max_article + 1 WHERE id = ar;
		WHEN 7 THEN
			UPDATE blog_articles SET author_id = CASE WHEN c % 5 <> 0 THEN au END WHERE id = ar;
		WHEN 8 THEN
			UPDATE blog_authors SET name = 'Writer ' || c WHERE id = au;
		WHEN 9 THEN
			DELETE FROM blog_authors WHERE id = au;
		WHEN 10 THEN
			INSERT INTO blog_authors VALUES (max_author + 1, 'Author ' || c);
		WHEN 11 THEN
			UPDATE blog_tags SET name = (ARRAY['sql', 'ünï', 'a', 'z "q"'])[c % 4 + 1] || c WHERE id = tg;
		WHEN 12 THEN
			UPDATE blog_tags SET deleted_at = '2026-02-01 00:00:00+00' WHERE id = tg AND deleted_at IS NULL;
		WHEN 13 THEN
			UPDATE blog_tags SET deleted_at = NULL WHERE id = tg AND deleted_at IS NOT NULL;
		WHEN 14 THEN
			INSERT INTO blog_tags VALUES (max_tag + 1, 'tag ' || c, NULL);
		WHEN 15 THEN
			DELETE FROM blog_tags WHERE id = tg;
		WHEN 16 THEN
			UPDATE blog_tags SET id = max_tag + 1 WHERE id = tg;
		WHEN 17 THEN
			INSERT INTO blog_article_tags VALUES (ar, tg, c % 4);
		WHEN 18 THEN
			DELETE FROM blog_article_tags
			WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
				WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
		WHEN 19 THEN
			UPDATE blog_article_tags SET position = c % 5
			WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
				WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
		WHEN 20 THEN
			UPDATE blog_article_tags SET article_id = ivm_test.pick('blog_articles', d)
			WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
				WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
		WHEN 21 THEN
			UPDATE blog_article_tags SET tag_id = tg
			WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
				WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
		WHEN 22 THEN
			INSERT INTO blog_comments VALUES (max_comment + 1, ar, 'New comment ' || c, c % 6, c % 7 = 0);
		WHEN 23 THEN
			UPDATE blog_comments SET body = 'Edited ' || c, votes = c % 6 WHERE id = cm;
		WHEN 24 THEN
			UPDATE blog_comments SET hidden = NOT hidden WHERE id = cm;
		WHEN 25 THEN
			UPDATE blog_comments SET article_id = ar WHERE id = cm;
		WHEN 26 THEN
			DELETE FROM blog_comments WHERE id = cm;
		WHEN 27 THEN
			UPDATE blog_articles SET deleted_at = CASE WHEN deleted_at IS NULL
				THEN '2026-03-01 00:00:00+00'::timestamptz END
			WHERE author_id = au;
		WHEN 28 THEN
			UPDATE blog_comments SET votes = votes + c % 3 - 1 WHERE article_id % (2 + c % 4) = a % 2;
		WHEN 29 THEN
			UPDATE blog_article_tags SET position = position + 1 WHERE tag_id = tg OR article_id = ar;
		WHEN 30 THEN
			DELETE FROM blog_comments WHERE article_id = ar;
		WHEN 31 THEN
			TRUNCATE blog_comments;
			PERFORM ivm_test.blog_refill(c);
		WHEN 32 THEN
			TRUNCATE blog_article_tags;
			PERFORM ivm_test.blog_refill(c);
		WHEN 33 THEN
			TRUNCATE blog_articles CASCADE;
			PERFORM ivm_test.blog_refill(c);
		WHEN 34 THEN
			TRUNCATE blog_tags CASCADE;
			PERFORM ivm_test.blog_refill(c);
		WHEN 35 THEN
			TRUNCATE blog_authors CASCADE;
			PERFORM ivm_test.blog_refill(c);
		END CASE;
		GET DIAGNOSTICS rows_changed = ROW_COUNT;
	EXCEPTION WHEN integrity_constraint_violation THEN
		rows_changed := 0;
		rejected := 1;
	END;
END
$$;

-- After a TRUNCATE: whatever table is empty gets rows again, one bulk
-- statement per table, parents first.
CREATE OR REPLACE FUNCTION ivm_test.blog_refill(c integer)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM blog_authors) THEN
		INSERT INTO blog_authors SELECT i, 'Author ' || c || '.' || i FROM generate_series(1, 10) i;
	END IF;
	IF NOT EXISTS (SELECT FROM blog_articles) THEN
		INSERT INTO blog_articles
		SELECT i, CASE WHEN i % 5 <> 0 THEN ivm_test.pick('blog_authors', i * 16 + 1) END,
			'Article ' || (i * c % 97), i / 2.0,
			CASE WHEN i % 7 = 0 THEN '2026-01-01 00:00:00+00'::timestamptz END
		FROM generate_series(1, 40) i
		ON CONFLICT DO NOTHING;
	END IF;
	IF NOT EXISTS (SELECT FROM blog_tags) THEN
		INSERT INTO blog_tags
		SELECT i, 'tag ' || c || '.' || i, CASE WHEN i % 6 = 0 THEN '2026-01-01 00:00:00+00'::timestamptz END
		FROM generate_series(1, 20) i;
	END IF;
	IF NOT EXISTS (SELECT FROM blog_article_tags) THEN
		INSERT INTO blog_article_tags
		SELECT a.id, t.id, (a.id + t.id) % 3
		FROM blog_articles a JOIN blog_tags t ON (a.id * 3 + t.id + c) % 7 = 0
		ON CONFLICT DO NOTHING;
	END IF;
	IF NOT EXISTS (SELECT FROM blog_comments) THEN
		INSERT INTO blog_comments
		SELECT a.id * 10 + j, a.id, 'Comment ' || j, (a.id + j + c) % 5, j = 2
		FROM blog_articles a, generate_series(0, a.id % 4 - 1) j
		ON CONFLICT DO NOTHING;
	END IF;
END
$$;

-- The shop: orders, lines with their product, discounts of each line.
CREATE OR REPLACE FUNCTION ivm_test.shop_step(seed bigint,
	OUT kind text, OUT rows_changed bigint, OUT rejected integer)
LANGUAGE plpgsql
SET client_min_messages = warning		-- TRUNCATE ... CASCADE says what it cascades to
AS $$
DECLARE
	kinds text[] := ARRAY['order update', 'order changes customer', 'order insert',
		'order delete', 'order key change', 'customer update', 'customer delete',
		'customer insert', 'product update', 'product key change', 'product insert',
		'product delete', 'line insert', 'line update', 'line number change',
		'line moves order', 'line changes product', 'line delete', 'line key change',
		'discount insert', 'discount update', 'discount moves line', 'discount delete',
		'products bulk price', 'order lines cleared', 'order discounts bulk insert',
		'truncate discounts', 'truncate lines', 'truncate products', 'truncate orders',
		'truncate customers'];
	op integer;
	a integer;
	b integer;
	c integer;
	d integer;
	o integer;					-- an order
	cu integer;					-- a customer
	p integer;					-- a product
	l integer;					-- a line
	di integer;					-- a discount
	max_order integer;
	max_customer integer;
	max_product integer;
	max_line integer;
	max_discount integer;
BEGIN
	SELECT * INTO op, a, b, c, d FROM ivm_test.draw(seed, array_length(kinds, 1));
	IF op >= 27 AND c % 12 <> 0 THEN
		op := c % 26 + 1;
	END IF;
	SELECT coalesce(max(id), 0) INTO max_order FROM shop_orders;
	SELECT coalesce(max(id), 0) INTO max_customer FROM shop_customers;
	SELECT coalesce(max(id), 0) INTO max_product FROM shop_products;
	SELECT coalesce(max(id), 0) INTO max_line FROM shop_order_lines;
	SELECT coalesce(max(id), 0) INTO max_discount FROM shop_line_discounts;
	o := ivm_test.pick('shop_orders', a);
	cu := ivm_test.pick('shop_customers', b);
	p := ivm_test.pick('shop_products', b + c);
	l := ivm_test.pick('shop_order_lines', d);
	di := ivm_test.pick('shop_line_discounts', a + d);
	kind := kinds[op];
	rejected := 0;
	BEGIN
		CASE op
		WHEN 1 THEN
			UPDATE shop_orders SET status = (ARRAY['open', 'paid', 'shipped', 'returned'])[c % 4 + 1],
				placed_on = date '2026-01-01' + c % 90
			WHERE id = o;
		WHEN 2 THEN
			UPDATE shop_orders SET customer_id = CASE WHEN c % 5 <> 0 THEN cu END WHERE id = o;
		WHEN 3 THEN
			INSERT INTO shop_orders VALUES (max_order + 1, CASE WHEN c % 4 <> 0 THEN cu END,
				'open', date '2026-03-01' + c % 30);
		WHEN 4 THEN
			DELETE FROM shop_orders WHERE id = o;
		WHEN 5 THEN
			UPDATE shop_orders SET id = max_order + 1 WHERE id = o;
		WHEN 6 THEN
			UPDATE shop_customers SET name = 'Client ' || c,
				tier = (ARRAY['gold', 'silver', NULL])[c % 3 + 1] WHERE id = cu;
		WHEN 7 THEN
			DELETE FROM shop_customers WHERE id = cu;
		WHEN 8 THEN
			INSERT INTO shop_customers VALUES (max_customer + 1, 'Customer ' || c, 'silver');
		WHEN 9 THEN
			UPDATE shop_products SET price = c / 7.0, name = 'Product ' || c || ' ✓' WHERE id = p;
		WHEN 10 THEN
			UPDATE shop_products SET id = max_product + 1 WHERE id = p;
		WHEN 11 THEN
			INSERT INTO shop_products VALUES (max_product + 1, 'SKU-N' || (max_product + 1), 'Product ' || c, 9.90);
		WHEN 12 THEN
			DELETE FROM shop_products WHERE id = p;
		WHEN 13 THEN
			INSERT INTO shop_order_lines VALUES (max_line + 1, o, c % 6, p, c % 4 + 1, c / 10.0);
		WHEN 14 THEN
			UPDATE shop_order_lines SET qty = c % 9 + 1, unit_price = c / 3.0 WHERE id = l;
		WHEN 15 THEN
			UPDATE shop_order_lines SET line_no = c % 6 WHERE id = l;
		WHEN 16 THEN
			UPDATE shop_order_lines SET order_id = o, line_no = c % 6 WHERE id = l;
		WHEN 17 THEN
			UPDATE shop_order_lines SET product_id = p WHERE id = l;
		WHEN 18 THEN
			DELETE FROM shop_order_lines WHERE id = l;
		WHEN 19 THEN
			UPDATE shop_order_lines SET id = max_line + 1 WHERE id = l;
		WHEN 20 THEN
			INSERT INTO shop_line_discounts VALUES (max_discount + 1, l, 'NEW' || c % 10, c / 20.0, c % 3);
		WHEN 21 THEN
			UPDATE shop_line_discounts SET amount = c / 40.0, rank = c % 3 WHERE id = di;
		WHEN 22 THEN
			UPDATE shop_line_discounts SET line_id = l WHERE id = di;
		WHEN 23 THEN
			DELETE FROM shop_line_discounts WHERE id = di;
		WHEN 24 THEN
			UPDATE shop_products SET price = round(price * 1.1, 2) WHERE id % (3 + c % 4) = a % 3;
		WHEN 25 THEN
			DELETE FROM shop_order_lines WHERE order_id = o;
		WHEN 26 THEN
			INSERT INTO shop_line_discounts
			SELECT max_discount + row_number() OVER (ORDER BY ol.id), ol.id, 'BULK' || c % 5, 0.50, 1
			FROM shop_order_lines ol WHERE ol.order_id = o;
		WHEN 27 THEN
			TRUNCATE shop_line_discounts;
			PERFORM ivm_test.shop_refill(c);
		WHEN 28 THEN
			TRUNCATE shop_order_lines CASCADE;
			PERFORM ivm_test.shop_refill(c);
		WHEN 29 THEN
			TRUNCATE shop_products CASCADE;
			PERFORM ivm_test.shop_refill(c);
		WHEN 30 THEN
			TRUNCATE shop_orders CASCADE;
			PERFORM ivm_test.shop_refill(c);
		WHEN 31 THEN
			TRUNCATE shop_customers CASCADE;
			PERFORM ivm_test.shop_refill(c);
		END CASE;
		GET DIAGNOSTICS rows_changed = ROW_COUNT;
	EXCEPTION WHEN integrity_constraint_violation THEN
		rows_changed := 0;
		rejected := 1;
	END;
END
$$;

-- After a TRUNCATE: whatever table is empty gets rows again, one bulk
-- statement per table, parents first.
CREATE OR REPLACE FUNCTION ivm_test.shop_refill(c integer)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM shop_customers) THEN
		INSERT INTO shop_customers SELECT i, 'Customer ' || c || '.' || i, 'gold' FROM generate_series(1, 8) i;
	END IF;
	IF NOT EXISTS (SELECT FROM shop_products) THEN
		INSERT INTO shop_products SELECT i, 'SKU-R' || i, 'Product ' || i, (i * c % 5000) / 100.0
		FROM generate_series(1, 20) i;
	END IF;
	IF NOT EXISTS (SELECT FROM shop_orders) THEN
		INSERT INTO shop_orders
		SELECT i, CASE WHEN i % 4 <> 0 THEN ivm_test.pick('shop_customers', i * 16 + 1) END,
			'open', date '2026-01-01' + i
		FROM generate_series(1, 40) i
		ON CONFLICT DO NOTHING;
	END IF;
	IF NOT EXISTS (SELECT FROM shop_order_lines) THEN
		INSERT INTO shop_order_lines
		SELECT o.id * 10 + j, o.id, j, ivm_test.pick('shop_products', o.id + j + c + 1), j + 1, 2.50
		FROM shop_orders o, generate_series(0, o.id % 4 - 1) j
		WHERE (o.id + j + c + 1) % 16 <> 0
		ON CONFLICT DO NOTHING;
	END IF;
	IF NOT EXISTS (SELECT FROM shop_line_discounts) THEN
		INSERT INTO shop_line_discounts
		SELECT ol.id * 10 + j, ol.id, 'R' || j, 1.25 * (j + 1), (ol.id + j) % 2
		FROM shop_order_lines ol, generate_series(0, (ol.id + c) % 3 - 1) j
		ON CONFLICT DO NOTHING;
	END IF;
END
$$;

-- What the workloads did and what the checks found.
CREATE TABLE IF NOT EXISTS ivm_test.workload_log (
	workload text NOT NULL,
	kind text NOT NULL,
	rows_changed bigint NOT NULL,
	rejected integer NOT NULL,
	committed boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS ivm_test.workload_problem (
	workload text NOT NULL,
	transaction integer NOT NULL,
	projection text NOT NULL,
	problem text NOT NULL
);

-- Run transactions of one to three random statements of a step function
-- (one in twenty rolls back instead of committing); after each, every
-- projection in projections must equal its query: the rows where
-- jsonb_ivm_check_projection finds a difference go to workload_problem
-- (at most 5 per projection and transaction; transaction 0 when the
-- projection does not exist).  Must be CALLed outside a transaction block.
CREATE OR REPLACE PROCEDURE ivm_test.run_workload(step text, seed bigint,
	transactions integer, projections text[])
LANGUAGE plpgsql AS $$
DECLARE
	st bigint := seed;
	n integer;
	x integer;
	r record;
	p text;
	commit_it boolean;
	-- the statements of the current transaction, logged after it ends
	kinds text[];
	counts bigint[];
	rejections integer[];
BEGIN
	-- a projection that could not be created is a problem, not the end of
	-- the workload for the others
	INSERT INTO ivm_test.workload_problem
	SELECT step, 0, u.name, 'projection does not exist'
	FROM unnest(projections) AS u (name) WHERE to_regclass(u.name) IS NULL;
	SELECT array_agg(u.name ORDER BY u.i) INTO projections
	FROM unnest(projections) WITH ORDINALITY AS u (name, i) WHERE to_regclass(u.name) IS NOT NULL;
	FOR t IN 1 .. transactions LOOP
		SELECT * INTO st, n FROM ivm_test.rand(st, 3);
		SELECT * INTO st, x FROM ivm_test.rand(st, 20);
		commit_it := x <> 0;
		kinds := '{}';
		counts := '{}';
		rejections := '{}';
		FOR i IN 0 .. n LOOP
			SELECT * INTO st, x FROM ivm_test.rand(st, 2147483646);
			EXECUTE format('SELECT * FROM ivm_test.%I($1)', step || '_step') INTO r USING st;
			kinds := kinds || r.kind;
			counts := counts || r.rows_changed;
			rejections := rejections || r.rejected;
		END LOOP;
		IF commit_it THEN
			COMMIT;
		ELSE
			ROLLBACK;
		END IF;
		INSERT INTO ivm_test.workload_log
		SELECT step, k, rc, rj, commit_it
		FROM unnest(kinds, counts, rejections) AS u (k, rc, rj);
		FOREACH p IN ARRAY coalesce(projections, '{}') LOOP
			INSERT INTO ivm_test.workload_problem
			SELECT step, t, p, to_jsonb(c)::text
			FROM jsonb_ivm_check_projection(p) AS c
			LIMIT 5;
		END LOOP;
		COMMIT;
	END LOOP;
END
$$;

-- Every row where a projection differs from its reference (a view with
-- the same query), in both directions (EXCEPT ALL): the given columns as
-- text and the document's stored bytes, so that two documents that print
-- alike but differ in their binary form still differ.  Needs
-- ivm_test.raw_bytes (test/lib/helpers.sql).
CREATE OR REPLACE FUNCTION ivm_test.projection_differences(projection text,
	reference text, columns text DEFAULT 'id')
RETURNS TABLE (side text, row_text text)
LANGUAGE plpgsql AS $$
DECLARE
	cols text := format('concat_ws(%L, %s, data::text, md5(ivm_test.raw_bytes(data)))', ' ', columns);
BEGIN
	RETURN QUERY EXECUTE format(
		'(SELECT %L, %s FROM %I EXCEPT ALL SELECT %L, %s FROM %I)
		 UNION ALL
		 (SELECT %L, %s FROM %I EXCEPT ALL SELECT %L, %s FROM %I)
		 ORDER BY 1, 2',
		'only in ' || projection, cols, projection, 'only in ' || projection, cols, reference,
		'only in ' || reference, cols, reference, 'only in ' || reference, cols, projection);
END
$$;
RESET check_function_bodies;
RESET client_min_messages;
