-- recipes/cqrs_statement_triggers.sql: statement-level triggers with
-- transition tables that keep the CQRS projections equal to their
-- definitions, for workloads that change many rows per statement.
--
-- Load after recipes/cqrs_projections.sql (instead of the row-level
-- recipe).  Where a statement changes many rows that one document embeds,
-- the document is rewritten once: a bulk UPDATE of 100 DNS servers patches
-- each configuration with one jsonb_array_update_where_batch call that
-- carries all of its changed servers, and each allocation with one
-- jsonb_merge_at_path.  PostgreSQL allows a transition table on a trigger
-- for one event only, hence one trigger per event.
--
-- As in the row-level recipe, primary keys of referenced rows do not
-- change (the fixture's foreign keys forbid it) and the configuration
-- document always has the same keys.
--
-- Concurrency: as the row-level recipe explains, a trigger that copies a
-- server or a configuration document into another document, or decides
-- from the mapping which documents to patch, can act on what a concurrent
-- transaction is changing under READ COMMITTED.  So the mapping triggers
-- lock every server of their rows FOR SHARE, and the allocation triggers
-- every configuration document they embed, in id order, before they read
-- them: a change of the same rows by another transaction ends before, or
-- starts after, this one.  The server trigger also locks the
-- configurations it patches in id order first, so that bulk updates of
-- servers that share configurations queue instead of deadlocking.

SET client_min_messages = warning;

-- whether a key of the old document is missing from the new one
CREATE OR REPLACE FUNCTION cqrs_keys_lost(old jsonb, new jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT EXISTS (SELECT 1 FROM jsonb_object_keys(old) k WHERE NOT new ? k)
$$;

-- bench_dns_servers -----------------------------------------------------

CREATE OR REPLACE FUNCTION cqrs_dns_server_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tv_dns_server SELECT n.id, cqrs_server_doc(n) FROM new_rows n;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_dns_server_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM tv_dns_server WHERE id IN (SELECT id FROM old_rows);
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_dns_server_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	-- rows whose id changed are unreferenced: just move their documents
	DELETE FROM tv_dns_server
	WHERE id IN (SELECT id FROM old_rows EXCEPT SELECT id FROM new_rows);
	INSERT INTO tv_dns_server
	SELECT n.id, cqrs_server_doc(n) FROM new_rows n
	WHERE n.id NOT IN (SELECT id FROM old_rows);

	UPDATE tv_dns_server t SET data = cqrs_server_doc(n)
	FROM new_rows n JOIN old_rows o ON o.id = n.id
	WHERE t.id = n.id AND (o.*) IS DISTINCT FROM (n.*);

	-- lock the configurations to patch in id order: concurrent changes of
	-- servers that share configurations then wait for one another instead
	-- of deadlocking
	PERFORM 1 FROM tv_network_configuration
	WHERE id IN (SELECT m.network_configuration_id
		FROM new_rows n JOIN bench_nc_dns_mapping m ON m.dns_server_id = n.id)
	ORDER BY id FOR NO KEY UPDATE;

	-- one rewrite per configuration, whatever the number of its servers
	-- that changed: patch them all in one pass
	UPDATE tv_network_configuration t
	SET data = jsonb_array_update_where_batch(t.data, '{dns_servers}', 'id', p.patches)
	FROM (SELECT m.network_configuration_id AS id, jsonb_agg(cqrs_server_doc(n)) AS patches
		  FROM new_rows n JOIN old_rows o ON o.id = n.id
		  JOIN bench_nc_dns_mapping m ON m.dns_server_id = n.id
		  WHERE (o.*) IS DISTINCT FROM (n.*)
			AND NOT cqrs_keys_lost(cqrs_server_doc(o), cqrs_server_doc(n))
		  GROUP BY 1) p
	WHERE t.id = p.id;

	-- a merge cannot remove a key (a server whose payload became NULL):
	-- replace those servers whole, one by one
	FOR r IN SELECT n.id, cqrs_server_doc(n) AS doc, m.network_configuration_id, m.priority
		FROM new_rows n JOIN old_rows o ON o.id = n.id
		JOIN bench_nc_dns_mapping m ON m.dns_server_id = n.id
		WHERE cqrs_keys_lost(cqrs_server_doc(o), cqrs_server_doc(n))
	LOOP
		UPDATE tv_network_configuration
		SET data = jsonb_array_upsert_where(data, '{dns_servers}', 'id',
			to_jsonb(r.id), r.doc || jsonb_build_object('priority', r.priority))
		WHERE id = r.network_configuration_id;
	END LOOP;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_dns_server_insert ON bench_dns_servers;
DROP TRIGGER IF EXISTS cqrs_dns_server_update ON bench_dns_servers;
DROP TRIGGER IF EXISTS cqrs_dns_server_delete ON bench_dns_servers;
CREATE TRIGGER cqrs_dns_server_insert AFTER INSERT ON bench_dns_servers
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_dns_server_insert();
CREATE TRIGGER cqrs_dns_server_update AFTER UPDATE ON bench_dns_servers
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_dns_server_update();
CREATE TRIGGER cqrs_dns_server_delete AFTER DELETE ON bench_dns_servers
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_dns_server_delete();

-- bench_nc_dns_mapping --------------------------------------------------

-- Servers leave their configurations (deleted or changed rows), then join
-- at their priorities (inserted or changed rows), in priority order; each
-- step keeps the array sorted.
CREATE OR REPLACE FUNCTION cqrs_mapping_apply(left_rows jsonb, joined_rows jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	-- a change of these servers waits for this transaction, or this one
	-- for it (see Concurrency above)
	PERFORM 1 FROM bench_dns_servers
	WHERE id IN (SELECT (e ->> 'dns_server_id')::integer
		FROM jsonb_array_elements(left_rows || joined_rows) e)
	ORDER BY id FOR SHARE;
	FOR r IN SELECT (e ->> 'network_configuration_id')::integer AS configuration_id,
			(e ->> 'dns_server_id')::integer AS server_id
		FROM jsonb_array_elements(left_rows) e
	LOOP
		UPDATE tv_network_configuration
		SET data = jsonb_array_delete_where(data, '{dns_servers}', 'id', to_jsonb(r.server_id))
		WHERE id = r.configuration_id;
	END LOOP;
	FOR r IN SELECT (e ->> 'network_configuration_id')::integer AS configuration_id,
			(e ->> 'dns_server_id')::integer AS server_id,
			(e ->> 'priority')::integer AS priority
		FROM jsonb_array_elements(joined_rows) e
		ORDER BY 1, 3
	LOOP
		UPDATE tv_network_configuration
		SET data = jsonb_array_insert_where(data, '{dns_servers}',
			cqrs_embedded_server(r.server_id, r.priority), 'priority')
		WHERE id = r.configuration_id;
	END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_mapping_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cqrs_mapping_apply('[]', (SELECT coalesce(jsonb_agg(to_jsonb(n)), '[]') FROM new_rows n));
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_mapping_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cqrs_mapping_apply(
		(SELECT coalesce(jsonb_agg(to_jsonb(o)), '[]') FROM old_rows o),
		(SELECT coalesce(jsonb_agg(to_jsonb(n)), '[]') FROM new_rows n));
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_mapping_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cqrs_mapping_apply((SELECT coalesce(jsonb_agg(to_jsonb(o)), '[]') FROM old_rows o), '[]');
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_mapping_insert ON bench_nc_dns_mapping;
DROP TRIGGER IF EXISTS cqrs_mapping_update ON bench_nc_dns_mapping;
DROP TRIGGER IF EXISTS cqrs_mapping_delete ON bench_nc_dns_mapping;
CREATE TRIGGER cqrs_mapping_insert AFTER INSERT ON bench_nc_dns_mapping
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_mapping_insert();
CREATE TRIGGER cqrs_mapping_update AFTER UPDATE ON bench_nc_dns_mapping
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_mapping_update();
CREATE TRIGGER cqrs_mapping_delete AFTER DELETE ON bench_nc_dns_mapping
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_mapping_delete();

-- bench_network_configs -------------------------------------------------

CREATE OR REPLACE FUNCTION cqrs_network_config_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tv_network_configuration
	SELECT n.id, cqrs_configuration_fields(n) || '{"dns_servers": []}' FROM new_rows n;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_network_config_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM tv_network_configuration
	WHERE id IN (SELECT id FROM old_rows EXCEPT SELECT id FROM new_rows);
	INSERT INTO tv_network_configuration
	SELECT n.id, cqrs_configuration_fields(n) || '{"dns_servers": []}' FROM new_rows n
	WHERE n.id NOT IN (SELECT id FROM old_rows);
	UPDATE tv_network_configuration t
	SET data = jsonb_merge_at_path(t.data, cqrs_configuration_fields(n), '{}')
	FROM new_rows n JOIN old_rows o ON o.id = n.id
	WHERE t.id = n.id AND (o.*) IS DISTINCT FROM (n.*);
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_network_config_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM tv_network_configuration WHERE id IN (SELECT id FROM old_rows);
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_network_config_insert ON bench_network_configs;
DROP TRIGGER IF EXISTS cqrs_network_config_update ON bench_network_configs;
DROP TRIGGER IF EXISTS cqrs_network_config_delete ON bench_network_configs;
CREATE TRIGGER cqrs_network_config_insert AFTER INSERT ON bench_network_configs
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_network_config_insert();
CREATE TRIGGER cqrs_network_config_update AFTER UPDATE ON bench_network_configs
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_network_config_update();
CREATE TRIGGER cqrs_network_config_delete AFTER DELETE ON bench_network_configs
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_network_config_delete();

-- tv_network_configuration -> tv_allocation -----------------------------

-- Every allocation embeds one configuration, so one UPDATE rewrites each
-- allocation once however many configurations the statement changed.
CREATE OR REPLACE FUNCTION cqrs_configuration_doc_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tv_allocation a
	SET data = jsonb_merge_at_path(a.data, n.data, '{network_configuration}')
	FROM new_rows n JOIN old_rows o ON o.id = n.id
	WHERE a.network_configuration_id = n.id
		AND jsonb_has_path_changed(o.data, n.data, '{}');
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_configuration_doc_update ON tv_network_configuration;
CREATE TRIGGER cqrs_configuration_doc_update AFTER UPDATE ON tv_network_configuration
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_configuration_doc_update();

-- bench_allocations -----------------------------------------------------

CREATE OR REPLACE FUNCTION cqrs_allocation_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- the configuration documents to embed cannot change until this
	-- transaction ends, and changes in progress end before they are read
	-- (see Concurrency above)
	PERFORM 1 FROM tv_network_configuration
	WHERE id IN (SELECT network_configuration_id FROM new_rows)
	ORDER BY id FOR SHARE;
	INSERT INTO tv_allocation
	SELECT n.id, n.network_configuration_id, cqrs_allocation_fields(n)
		|| jsonb_build_object('network_configuration',
			cqrs_embedded_configuration(n.network_configuration_id))
	FROM new_rows n;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_allocation_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- as on INSERT, for the allocations that change configuration
	PERFORM 1 FROM tv_network_configuration
	WHERE id IN (SELECT n.network_configuration_id
		FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
		WHERE n.network_configuration_id IS DISTINCT FROM o.network_configuration_id)
	ORDER BY id FOR SHARE;
	DELETE FROM tv_allocation
	WHERE id IN (SELECT id FROM old_rows EXCEPT SELECT id FROM new_rows);
	INSERT INTO tv_allocation
	SELECT n.id, n.network_configuration_id, cqrs_allocation_fields(n)
		|| jsonb_build_object('network_configuration',
			cqrs_embedded_configuration(n.network_configuration_id))
	FROM new_rows n WHERE n.id NOT IN (SELECT id FROM old_rows);
	UPDATE tv_allocation t
	SET network_configuration_id = n.network_configuration_id,
		data = jsonb_merge_at_path(t.data, cqrs_allocation_fields(n)
			|| CASE WHEN n.network_configuration_id IS DISTINCT FROM o.network_configuration_id
				THEN jsonb_build_object('network_configuration',
					cqrs_embedded_configuration(n.network_configuration_id))
				ELSE '{}' END, '{}')
	FROM new_rows n JOIN old_rows o ON o.id = n.id
	WHERE t.id = n.id AND (o.*) IS DISTINCT FROM (n.*);
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_allocation_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM tv_allocation WHERE id IN (SELECT id FROM old_rows);
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_allocation_insert ON bench_allocations;
DROP TRIGGER IF EXISTS cqrs_allocation_update ON bench_allocations;
DROP TRIGGER IF EXISTS cqrs_allocation_delete ON bench_allocations;
CREATE TRIGGER cqrs_allocation_insert AFTER INSERT ON bench_allocations
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_allocation_insert();
CREATE TRIGGER cqrs_allocation_update AFTER UPDATE ON bench_allocations
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_allocation_update();
CREATE TRIGGER cqrs_allocation_delete AFTER DELETE ON bench_allocations
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION cqrs_allocation_delete();

RESET client_min_messages;
