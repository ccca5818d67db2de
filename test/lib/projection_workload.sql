-- Seeded random workloads on the base tables of the three projection
-- fixtures (fixtures/cqrs.sql with fixtures/cqrs_projections.sql,
-- fixtures/blog.sql, fixtures/shop.sql), the driver that checks every
-- projection after every transaction, and the final byte-exact comparison.
-- Used by test/sql/projection_workload_*.sql and by the pgbench clients of
-- test/t/050_projection_stress.pl; load with \i after helpers.sql.
--
-- ivm_test.step runs one random statement drawn from a seed: every
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

-- n characters of hex digits that pglz cannot compress, drawn from seed.
CREATE OR REPLACE FUNCTION ivm_test.incompressible(seed integer, n integer)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT left(string_agg(md5(seed || '.' || g), '' ORDER BY g), n)
	FROM generate_series(1, (n + 31) / 32) g
$$;

-- One random statement of a workload, drawn from a seed: workload_kinds()
-- lists the kinds (a kind listed twice is drawn twice as often);
-- workload_statement(kind, a, b, c, d) runs one with the random numbers;
-- a kind "truncate TABLE" truncates the table (CASCADE) and calls
-- workload_refill(c), and is drawn once in twelve times its share.
CREATE OR REPLACE FUNCTION ivm_test.step(workload text, seed bigint,
	OUT kind text, OUT rows_changed bigint, OUT rejected integer)
LANGUAGE plpgsql
SET client_min_messages = warning		-- TRUNCATE ... CASCADE says what it cascades to
AS $$
DECLARE
	kinds text[];
	statements integer;
	op integer;
	a integer;
	b integer;
	c integer;
	d integer;
BEGIN
	EXECUTE format('SELECT ivm_test.%I()', workload || '_kinds') INTO kinds;
	SELECT * INTO op, a, b, c, d FROM ivm_test.draw(seed, array_length(kinds, 1));
	kind := kinds[op];
	IF kind LIKE 'truncate %' AND c % 12 <> 0 THEN
		SELECT count(*) INTO statements FROM unnest(kinds) AS k WHERE k NOT LIKE 'truncate %';
		kind := kinds[c % statements + 1];
	END IF;
	rejected := 0;
	BEGIN
		IF kind LIKE 'truncate %' THEN
			EXECUTE format('TRUNCATE %I CASCADE', substr(kind, length('truncate ') + 1));
			EXECUTE format('SELECT ivm_test.%I($1)', workload || '_refill') USING c;
			rows_changed := 0;
		ELSE
			EXECUTE format('SELECT ivm_test.%I($1, $2, $3, $4, $5)', workload || '_statement')
				INTO rows_changed USING kind, a, b, c, d;
		END IF;
	EXCEPTION WHEN integrity_constraint_violation THEN
		rows_changed := 0;
		rejected := 1;
	END;
END
$$;

-- The seed's schema: DNS servers, configurations, their mapping, allocations.
CREATE OR REPLACE FUNCTION ivm_test.cqrs_kinds()
RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
SELECT ARRAY[
	'server update', 'server payload', 'servers bulk update', 'server insert',
	'server delete', 'server key change', 'mapping insert', 'mapping delete',
	'priority change', 'server moves', 'mapping swaps server',
	'priorities bulk shift', 'server leaves all', 'configuration update',
	'configuration insert', 'configuration delete', 'configuration key change',
	'allocation update', 'allocation moves', 'allocation insert',
	'allocation delete', 'allocation key change', 'allocations bulk update',
	'configuration cleared', 'servers bulk join', 'mapping insert',
	'mapping insert', 'servers bulk join', 'truncate bench_nc_dns_mapping',
	'truncate bench_allocations', 'truncate bench_dns_servers',
	'truncate bench_network_configs']
$$;

CREATE OR REPLACE FUNCTION ivm_test.cqrs_statement(kind text,
	a integer, b integer, c integer, d integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	s integer;					-- a server
	nc integer;					-- a configuration
	al integer;					-- an allocation
	max_server integer;
	max_configuration integer;
	max_allocation integer;
	n bigint;
BEGIN
	SELECT coalesce(max(id), 0) INTO max_server FROM bench_dns_servers;
	SELECT coalesce(max(id), 0) INTO max_configuration FROM bench_network_configs;
	SELECT coalesce(max(id), 0) INTO max_allocation FROM bench_allocations;
	s := ivm_test.pick('bench_dns_servers', a);
	nc := ivm_test.pick('bench_network_configs', b);
	al := ivm_test.pick('bench_allocations', d);
	CASE kind
	WHEN 'server update' THEN
		UPDATE bench_dns_servers SET ip = '10.' || c || '.0.' || s, port = 53 + c % 7,
			status = CASE WHEN c % 3 = 0 THEN 'inactive' ELSE 'active' END
		WHERE id = s;
	WHEN 'server payload' THEN
		-- one in ten payloads is 3 KB that does not compress: the documents
		-- that embed the server are stored out of line (TOAST)
		UPDATE bench_dns_servers SET payload = CASE WHEN c % 2 = 0 THEN NULL
				WHEN c % 10 = 1 THEN ivm_test.incompressible(c, 3000)
				ELSE repeat('p', c % 40) END
		WHERE id = s;
	WHEN 'servers bulk update' THEN
		UPDATE bench_dns_servers SET port = port + 1,
			status = CASE WHEN status = 'active' THEN 'inactive' ELSE 'active' END
		WHERE id % (2 + c % 5) = a % 3;
	WHEN 'server insert' THEN
		INSERT INTO bench_dns_servers VALUES (max_server + 1, '8.8.' || c || '.1', 53, 'active',
			CASE WHEN c % 4 = 0 THEN 'payload ' || c END);
	WHEN 'server delete' THEN
		DELETE FROM bench_dns_servers WHERE id = s;
	WHEN 'server key change' THEN
		UPDATE bench_dns_servers SET id = max_server + 1
		WHERE id = CASE WHEN c % 2 = 0 THEN max_server ELSE s END;
	WHEN 'mapping insert' THEN
		INSERT INTO bench_nc_dns_mapping VALUES (nc, s, c % 60 + 1);
	WHEN 'mapping delete' THEN
		DELETE FROM bench_nc_dns_mapping
		WHERE network_configuration_id = nc AND dns_server_id = (
			SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
			ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
	WHEN 'priority change' THEN
		UPDATE bench_nc_dns_mapping SET priority = c % 60 + 1
		WHERE network_configuration_id = nc AND dns_server_id = (
			SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
			ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
	WHEN 'server moves' THEN
		UPDATE bench_nc_dns_mapping SET network_configuration_id = ivm_test.pick('bench_network_configs', d),
			priority = 60 + c % 40
		WHERE network_configuration_id = nc AND dns_server_id = (
			SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
			ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
	WHEN 'mapping swaps server' THEN
		UPDATE bench_nc_dns_mapping SET dns_server_id = s
		WHERE network_configuration_id = nc AND dns_server_id = (
			SELECT dns_server_id FROM bench_nc_dns_mapping WHERE network_configuration_id = nc
			ORDER BY dns_server_id OFFSET c % 5 LIMIT 1);
	WHEN 'priorities bulk shift' THEN
		UPDATE bench_nc_dns_mapping SET priority = priority + 1000 - (
			SELECT min(priority) FROM bench_nc_dns_mapping WHERE network_configuration_id = nc)
		WHERE network_configuration_id = nc;
	WHEN 'server leaves all' THEN
		DELETE FROM bench_nc_dns_mapping WHERE dns_server_id = s;
	WHEN 'configuration update' THEN
		UPDATE bench_network_configs SET name = 'Network ' || c, gateway_ip = '172.16.' || c || '.1'
		WHERE id = nc;
	WHEN 'configuration insert' THEN
		INSERT INTO bench_network_configs VALUES (max_configuration + 1, 'New ' || c,
			'10.1.' || c || '.1', '255.255.0.0', '2026-01-01 00:00:00+00');
	WHEN 'configuration delete' THEN
		DELETE FROM bench_network_configs WHERE id = nc;
	WHEN 'configuration key change' THEN
		UPDATE bench_network_configs SET id = max_configuration + 1
		WHERE id = CASE WHEN c % 2 = 0 THEN max_configuration ELSE nc END;
	WHEN 'allocation update' THEN
		UPDATE bench_allocations SET name = 'Allocation ' || c, storage_size_gb = c
		WHERE id = al;
	WHEN 'allocation moves' THEN
		UPDATE bench_allocations SET network_configuration_id = CASE WHEN c % 5 = 0 THEN NULL ELSE nc END
		WHERE id = al;
	WHEN 'allocation insert' THEN
		INSERT INTO bench_allocations VALUES (max_allocation + 1, 'Allocation ' || c,
			CASE WHEN c % 6 = 0 THEN NULL ELSE nc END, 'Machine-' || c, 100);
	WHEN 'allocation delete' THEN
		DELETE FROM bench_allocations WHERE id = al;
	WHEN 'allocation key change' THEN
		UPDATE bench_allocations SET id = max_allocation + 1 WHERE id = al;
	WHEN 'allocations bulk update' THEN
		UPDATE bench_allocations SET storage_size_gb = storage_size_gb + 10
		WHERE network_configuration_id = nc OR (c % 4 = 0 AND network_configuration_id IS NULL);
	WHEN 'configuration cleared' THEN
		DELETE FROM bench_nc_dns_mapping WHERE network_configuration_id = nc;
	WHEN 'servers bulk join' THEN
		INSERT INTO bench_nc_dns_mapping
		SELECT nc, sv.id, 100 + c % 50 + row_number() OVER (ORDER BY sv.id)
		FROM bench_dns_servers sv
		WHERE sv.id % 7 = c % 7 AND NOT EXISTS (SELECT 1 FROM bench_nc_dns_mapping m
			WHERE m.network_configuration_id = nc AND m.dns_server_id = sv.id)
		ORDER BY sv.id LIMIT 3;
	END CASE;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- After a TRUNCATE: whatever table is empty gets rows again, one bulk
-- statement per table, parents first.
CREATE OR REPLACE FUNCTION ivm_test.cqrs_refill(c integer)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM bench_dns_servers) THEN
		INSERT INTO bench_dns_servers
		SELECT i, '8.8.' || c || '.' || i, 53 + i % 3, 'active', NULL
		FROM generate_series(1, 12) i;
	END IF;
	IF NOT EXISTS (SELECT FROM bench_network_configs) THEN
		INSERT INTO bench_network_configs
		SELECT i, 'Config ' || i, '192.168.' || c % 256 || '.1', '255.255.255.0',
			'2026-01-01 00:00:00+00'::timestamptz + i * interval '1 day'
		FROM generate_series(1, 20) i;
	END IF;
	IF NOT EXISTS (SELECT FROM bench_nc_dns_mapping) THEN
		INSERT INTO bench_nc_dns_mapping
		SELECT nc.id, s.id, row_number() OVER (PARTITION BY nc.id ORDER BY s.id DESC)
		FROM bench_network_configs nc
		JOIN bench_dns_servers s ON (s.id + nc.id + c) % 4 = 0
		ON CONFLICT DO NOTHING;
	END IF;
	IF NOT EXISTS (SELECT FROM bench_allocations) THEN
		INSERT INTO bench_allocations
		SELECT i, 'Allocation ' || i,
			CASE WHEN i % 6 <> 0 THEN ivm_test.pick('bench_network_configs', i * 16 + c % 16 + 1) END,
			'Machine-' || i, 100 + i
		FROM generate_series(1, 60) i
		ON CONFLICT DO NOTHING;
	END IF;
END
$$;

-- The blog: articles and tags many-to-many, soft deletes, comments.
CREATE OR REPLACE FUNCTION ivm_test.blog_kinds()
RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
SELECT ARRAY[
	'article update', 'article soft delete', 'article undelete',
	'article insert', 'article delete', 'article key change',
	'article changes author', 'author update', 'author delete',
	'author insert', 'tag rename', 'tag soft delete', 'tag undelete',
	'tag insert', 'tag delete', 'tag key change', 'link insert', 'link delete',
	'link position change', 'link moves article', 'link switches tag',
	'comment insert', 'comment update', 'comment hidden toggle',
	'comment moves article', 'comment delete',
	'author articles soft delete toggle', 'comments bulk votes',
	'links bulk positions', 'article comments cleared', 'link insert',
	'truncate blog_comments', 'truncate blog_article_tags',
	'truncate blog_articles', 'truncate blog_tags', 'truncate blog_authors']
$$;

CREATE OR REPLACE FUNCTION ivm_test.blog_statement(kind text,
	a integer, b integer, c integer, d integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	ar integer;					-- an article
	tg integer;					-- a tag
	au integer;					-- an author
	cm integer;					-- a comment
	max_article integer;
	max_tag integer;
	max_author integer;
	max_comment integer;
	n bigint;
BEGIN
	SELECT coalesce(max(id), 0) INTO max_article FROM blog_articles;
	SELECT coalesce(max(id), 0) INTO max_tag FROM blog_tags;
	SELECT coalesce(max(id), 0) INTO max_author FROM blog_authors;
	SELECT coalesce(max(id), 0) INTO max_comment FROM blog_comments;
	ar := ivm_test.pick('blog_articles', a);
	tg := ivm_test.pick('blog_tags', b);
	au := ivm_test.pick('blog_authors', d);
	cm := ivm_test.pick('blog_comments', a + d);
	CASE kind
	WHEN 'article update' THEN
		UPDATE blog_articles SET title = 'Article ' || c,
			score = CASE WHEN c % 9 = 0 THEN NULL ELSE c / 8.0 END
		WHERE id = ar;
	WHEN 'article soft delete' THEN
		UPDATE blog_articles SET deleted_at = '2026-02-01 00:00:00+00' WHERE id = ar AND deleted_at IS NULL;
	WHEN 'article undelete' THEN
		UPDATE blog_articles SET deleted_at = NULL WHERE id = ar AND deleted_at IS NOT NULL;
	WHEN 'article insert' THEN
		INSERT INTO blog_articles VALUES (max_article + 1, CASE WHEN c % 4 <> 0 THEN au END,
			'Article ' || c, c / 4.0, CASE WHEN c % 10 = 0 THEN '2026-02-01 00:00:00+00'::timestamptz END);
	WHEN 'article delete' THEN
		DELETE FROM blog_articles WHERE id = ar;
	WHEN 'article key change' THEN
		UPDATE blog_articles SET id = max_article + 1 WHERE id = ar;
	WHEN 'article changes author' THEN
		UPDATE blog_articles SET author_id = CASE WHEN c % 5 <> 0 THEN au END WHERE id = ar;
	WHEN 'author update' THEN
		UPDATE blog_authors SET name = 'Writer ' || c WHERE id = au;
	WHEN 'author delete' THEN
		DELETE FROM blog_authors WHERE id = au;
	WHEN 'author insert' THEN
		INSERT INTO blog_authors VALUES (max_author + 1, 'Author ' || c);
	WHEN 'tag rename' THEN
		UPDATE blog_tags SET name = (ARRAY['sql', 'ünï', 'a', 'z "q"'])[c % 4 + 1] || c WHERE id = tg;
	WHEN 'tag soft delete' THEN
		UPDATE blog_tags SET deleted_at = '2026-02-01 00:00:00+00' WHERE id = tg AND deleted_at IS NULL;
	WHEN 'tag undelete' THEN
		UPDATE blog_tags SET deleted_at = NULL WHERE id = tg AND deleted_at IS NOT NULL;
	WHEN 'tag insert' THEN
		INSERT INTO blog_tags VALUES (max_tag + 1, 'tag ' || c, NULL);
	WHEN 'tag delete' THEN
		DELETE FROM blog_tags WHERE id = tg;
	WHEN 'tag key change' THEN
		UPDATE blog_tags SET id = max_tag + 1 WHERE id = tg;
	WHEN 'link insert' THEN
		INSERT INTO blog_article_tags VALUES (ar, tg, c % 4);
	WHEN 'link delete' THEN
		DELETE FROM blog_article_tags
		WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
			WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
	WHEN 'link position change' THEN
		UPDATE blog_article_tags SET position = c % 5
		WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
			WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
	WHEN 'link moves article' THEN
		UPDATE blog_article_tags SET article_id = ivm_test.pick('blog_articles', d)
		WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
			WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
	WHEN 'link switches tag' THEN
		UPDATE blog_article_tags SET tag_id = tg
		WHERE article_id = ar AND tag_id = (SELECT tag_id FROM blog_article_tags
			WHERE article_id = ar ORDER BY tag_id OFFSET c % 4 LIMIT 1);
	WHEN 'comment insert' THEN
		INSERT INTO blog_comments VALUES (max_comment + 1, ar, 'New comment ' || c, c % 6, c % 7 = 0);
	WHEN 'comment update' THEN
		-- one in eight bodies is 3 KB that does not compress (TOAST)
		UPDATE blog_comments SET body = CASE WHEN c % 8 = 0 THEN ivm_test.incompressible(c, 3000)
				ELSE 'Edited ' || c END,
			votes = c % 6
		WHERE id = cm;
	WHEN 'comment hidden toggle' THEN
		UPDATE blog_comments SET hidden = NOT hidden WHERE id = cm;
	WHEN 'comment moves article' THEN
		UPDATE blog_comments SET article_id = ar WHERE id = cm;
	WHEN 'comment delete' THEN
		DELETE FROM blog_comments WHERE id = cm;
	WHEN 'author articles soft delete toggle' THEN
		UPDATE blog_articles SET deleted_at = CASE WHEN deleted_at IS NULL
			THEN '2026-03-01 00:00:00+00'::timestamptz END
		WHERE author_id = au;
	WHEN 'comments bulk votes' THEN
		UPDATE blog_comments SET votes = votes + c % 3 - 1 WHERE article_id % (2 + c % 4) = a % 2;
	WHEN 'links bulk positions' THEN
		UPDATE blog_article_tags SET position = position + 1 WHERE tag_id = tg OR article_id = ar;
	WHEN 'article comments cleared' THEN
		DELETE FROM blog_comments WHERE article_id = ar;
	END CASE;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
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
CREATE OR REPLACE FUNCTION ivm_test.shop_kinds()
RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
SELECT ARRAY[
	'order update', 'order changes customer', 'order insert', 'order delete',
	'order key change', 'customer update', 'customer delete',
	'customer insert', 'product update', 'product key change',
	'product insert', 'product delete', 'line insert', 'line update',
	'line number change', 'line moves order', 'line changes product',
	'line delete', 'line key change', 'discount insert', 'discount update',
	'discount moves line', 'discount delete', 'products bulk price',
	'order lines cleared', 'order discounts bulk insert', 'line insert',
	'truncate shop_line_discounts', 'truncate shop_order_lines',
	'truncate shop_products', 'truncate shop_orders',
	'truncate shop_customers']
$$;

CREATE OR REPLACE FUNCTION ivm_test.shop_statement(kind text,
	a integer, b integer, c integer, d integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
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
	n bigint;
BEGIN
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
	CASE kind
	WHEN 'order update' THEN
		UPDATE shop_orders SET status = (ARRAY['open', 'paid', 'shipped', 'returned'])[c % 4 + 1],
			placed_on = date '2026-01-01' + c % 90
		WHERE id = o;
	WHEN 'order changes customer' THEN
		UPDATE shop_orders SET customer_id = CASE WHEN c % 5 <> 0 THEN cu END WHERE id = o;
	WHEN 'order insert' THEN
		INSERT INTO shop_orders VALUES (max_order + 1, CASE WHEN c % 4 <> 0 THEN cu END,
			'open', date '2026-03-01' + c % 30);
	WHEN 'order delete' THEN
		DELETE FROM shop_orders WHERE id = o;
	WHEN 'order key change' THEN
		UPDATE shop_orders SET id = max_order + 1 WHERE id = o;
	WHEN 'customer update' THEN
		UPDATE shop_customers SET name = 'Client ' || c,
			tier = (ARRAY['gold', 'silver', NULL])[c % 3 + 1] WHERE id = cu;
	WHEN 'customer delete' THEN
		DELETE FROM shop_customers WHERE id = cu;
	WHEN 'customer insert' THEN
		INSERT INTO shop_customers VALUES (max_customer + 1, 'Customer ' || c, 'silver');
	WHEN 'product update' THEN
		-- one in nine names is 2.5 KB that does not compress (TOAST)
		UPDATE shop_products SET price = c / 7.0,
			name = CASE WHEN c % 9 = 0 THEN ivm_test.incompressible(c, 2500) ELSE 'Product ' || c || ' ✓' END
		WHERE id = p;
	WHEN 'product key change' THEN
		UPDATE shop_products SET id = max_product + 1 WHERE id = p;
	WHEN 'product insert' THEN
		INSERT INTO shop_products VALUES (max_product + 1, 'SKU-N' || (max_product + 1), 'Product ' || c, 9.90);
	WHEN 'product delete' THEN
		DELETE FROM shop_products WHERE id = p;
	WHEN 'line insert' THEN
		INSERT INTO shop_order_lines VALUES (max_line + 1, o, c % 6, p, c % 4 + 1, c / 10.0);
	WHEN 'line update' THEN
		UPDATE shop_order_lines SET qty = c % 9 + 1, unit_price = c / 3.0 WHERE id = l;
	WHEN 'line number change' THEN
		UPDATE shop_order_lines SET line_no = c % 6 WHERE id = l;
	WHEN 'line moves order' THEN
		UPDATE shop_order_lines SET order_id = o, line_no = c % 6 WHERE id = l;
	WHEN 'line changes product' THEN
		UPDATE shop_order_lines SET product_id = p WHERE id = l;
	WHEN 'line delete' THEN
		DELETE FROM shop_order_lines WHERE id = l;
	WHEN 'line key change' THEN
		UPDATE shop_order_lines SET id = max_line + 1 WHERE id = l;
	WHEN 'discount insert' THEN
		INSERT INTO shop_line_discounts VALUES (max_discount + 1, l, 'NEW' || c % 10, c / 20.0, c % 3);
	WHEN 'discount update' THEN
		UPDATE shop_line_discounts SET amount = c / 40.0, rank = c % 3 WHERE id = di;
	WHEN 'discount moves line' THEN
		UPDATE shop_line_discounts SET line_id = l WHERE id = di;
	WHEN 'discount delete' THEN
		DELETE FROM shop_line_discounts WHERE id = di;
	WHEN 'products bulk price' THEN
		UPDATE shop_products SET price = round(price * 1.1, 2) WHERE id % (3 + c % 4) = a % 3;
	WHEN 'order lines cleared' THEN
		DELETE FROM shop_order_lines WHERE order_id = o;
	WHEN 'order discounts bulk insert' THEN
		INSERT INTO shop_line_discounts
		SELECT max_discount + row_number() OVER (ORDER BY ol.id), ol.id, 'BULK' || c % 5, 0.50, 1
		FROM shop_order_lines ol WHERE ol.order_id = o;
	END CASE;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
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

-- What ran, by kind, and what the checks found.
CREATE OR REPLACE VIEW ivm_test.workload_summary AS
	SELECT kind, count(*) AS statements, count(*) FILTER (WHERE NOT committed) AS rolled_back,
		sum(rows_changed) AS rows_changed, sum(rejected) AS rejected
	FROM ivm_test.workload_log
	GROUP BY kind;
CREATE OR REPLACE VIEW ivm_test.workload_problems AS
	SELECT count(DISTINCT transaction) AS transactions_with_problems, count(*) AS problems
	FROM ivm_test.workload_problem;

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
			SELECT * INTO r FROM ivm_test.step(step, st);
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
