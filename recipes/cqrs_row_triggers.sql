-- recipes/cqrs_row_triggers.sql: row-level triggers that keep the CQRS
-- projections equal to their definitions, patching documents with
-- jsonb_ivm instead of rebuilding them.
--
-- Load after recipes/cqrs_projections.sql.  Each base-table change patches
-- the documents that embed the row:
--   bench_dns_servers      the server document, and the server inside every
--                          configuration that embeds it
--   bench_nc_dns_mapping   a server joins a configuration at its priority,
--                          leaves it, moves to another one or changes
--                          priority
--   bench_network_configs  the configuration's own fields
--   bench_allocations      the allocation document
-- and a change of a configuration document reaches the allocations that
-- embed it through a trigger on tv_network_configuration.
--
-- The foreign keys of the fixture (no ON DELETE/UPDATE CASCADE) mean that a
-- server or configuration that is still referenced cannot be deleted or
-- change its id; the triggers rely on that.
--
-- Concurrency.  Under READ COMMITTED, every statement of a trigger sees the
-- rows committed when it starts, and an UPDATE that waited for a row
-- another transaction changed applies its SET to the newest version of the
-- row without reading its FROM list again.  Patches of one document by
-- different transactions therefore compose correctly (each UPDATE of a
-- projection row waits for the last one and patches its result), but a
-- trigger that copies data from another table, or decides from another
-- table which documents to patch, may act on what a concurrent transaction
-- is changing:
--   * a server changes while another transaction removes it from a
--     configuration: the server's trigger still sees the old mapping row,
--     waits for the configuration document, and upserts the server back
--     into the array the other transaction just took it out of;
--   * a server changes while another transaction adds it to a
--     configuration (or moves it there): the mapping trigger copies the
--     server as it was before the change, and the server's trigger, which
--     does not see the new mapping row, never patches that copy;
--   * a configuration document changes while an allocation moves to it:
--     the allocation's trigger copies the document as it was, and the
--     configuration's trigger does not see the allocation yet.
-- So a trigger locks the rows it copies from, or whose changes it must
-- not miss, before it reads them: the mapping trigger takes FOR SHARE on
-- the servers of its row, which waits for (and then blocks) any UPDATE of
-- those servers, so that a server change and a mapping change of the same
-- server run one after the other, and the allocation trigger takes FOR
-- SHARE on the configuration document it embeds.  The statement that
-- follows the lock sees the other transaction's committed change.  (The
-- foreign key checks take FOR KEY SHARE, which does not conflict with an
-- UPDATE that leaves the key alone, hence the stronger lock.)
--
-- Deadlocks.  The server trigger locks the configurations it patches in
-- id order before patching them, so that changes of servers that share
-- configurations queue instead of deadlocking.  Deadlocks remain possible
-- where the order cannot be kept: a statement that changes several servers
-- (each row's trigger locks the configurations of its own server), or a
-- transaction that changes a configuration and then one of its servers.
-- PostgreSQL detects them and aborts one of the transactions, which the
-- application retries.  test/t/030_stress.pl runs all of this with 8
-- concurrent clients and retries deadlocks with pgbench --max-tries;
-- test/specs/recipe_interleavings.spec.in replays the interleavings above.

SET client_min_messages = warning;

-- bench_dns_servers -----------------------------------------------------

CREATE OR REPLACE FUNCTION cqrs_dns_server_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	doc jsonb;
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM tv_dns_server WHERE id = OLD.id;
		RETURN NULL;
	END IF;
	doc := cqrs_server_doc(NEW);
	IF TG_OP = 'INSERT' THEN
		INSERT INTO tv_dns_server VALUES (NEW.id, doc);
		RETURN NULL;
	END IF;
	UPDATE tv_dns_server SET id = NEW.id, data = doc WHERE id = OLD.id;
	-- lock the configurations to patch in id order: concurrent changes of
	-- servers that share configurations then wait for one another instead
	-- of deadlocking
	PERFORM 1 FROM tv_network_configuration
	WHERE id IN (SELECT network_configuration_id FROM bench_nc_dns_mapping
		WHERE dns_server_id = NEW.id)
	ORDER BY id FOR NO KEY UPDATE;
	-- replace the server in every configuration that embeds it (whole,
	-- so that a key the new document lacks goes too)
	UPDATE tv_network_configuration c
	SET data = jsonb_array_upsert_where(c.data, '{dns_servers}', 'id',
		to_jsonb(NEW.id), doc || jsonb_build_object('priority', m.priority))
	FROM bench_nc_dns_mapping m
	WHERE m.dns_server_id = NEW.id AND c.id = m.network_configuration_id;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_dns_server ON bench_dns_servers;
CREATE TRIGGER cqrs_dns_server AFTER INSERT OR UPDATE OR DELETE ON bench_dns_servers
	FOR EACH ROW EXECUTE FUNCTION cqrs_dns_server_row();

-- bench_nc_dns_mapping --------------------------------------------------

CREATE OR REPLACE FUNCTION cqrs_mapping_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- a change of these servers waits for this transaction, or this one
	-- for it (see Concurrency above); OLD or NEW is NULL for an INSERT or
	-- a DELETE
	PERFORM 1 FROM bench_dns_servers
	WHERE id IN (OLD.dns_server_id, NEW.dns_server_id)
	ORDER BY id FOR SHARE;
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE tv_network_configuration
		SET data = jsonb_array_delete_where(data, '{dns_servers}', 'id',
			to_jsonb(OLD.dns_server_id))
		WHERE id = OLD.network_configuration_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		-- the server joins at its priority
		UPDATE tv_network_configuration
		SET data = jsonb_array_insert_where(data, '{dns_servers}',
			cqrs_embedded_server(NEW.dns_server_id, NEW.priority), 'priority')
		WHERE id = NEW.network_configuration_id;
	END IF;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_mapping ON bench_nc_dns_mapping;
CREATE TRIGGER cqrs_mapping AFTER INSERT OR UPDATE OR DELETE ON bench_nc_dns_mapping
	FOR EACH ROW EXECUTE FUNCTION cqrs_mapping_row();

-- bench_network_configs -------------------------------------------------

CREATE OR REPLACE FUNCTION cqrs_network_config_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM tv_network_configuration WHERE id = OLD.id;
	ELSIF TG_OP = 'INSERT' THEN
		INSERT INTO tv_network_configuration
		VALUES (NEW.id, cqrs_configuration_fields(NEW) || '{"dns_servers": []}');
	ELSE
		UPDATE tv_network_configuration
		SET id = NEW.id, data = jsonb_merge_at_path(data, cqrs_configuration_fields(NEW), '{}')
		WHERE id = OLD.id;
	END IF;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_network_config ON bench_network_configs;
CREATE TRIGGER cqrs_network_config AFTER INSERT OR UPDATE OR DELETE ON bench_network_configs
	FOR EACH ROW EXECUTE FUNCTION cqrs_network_config_row();

-- tv_network_configuration -> tv_allocation -----------------------------

-- The configuration document always has the same keys, so merging it at
-- the path replaces the embedded copy exactly.  jsonb_has_path_changed
-- skips the allocations when an update left the document as it was (the
-- jsonb_ivm functions then return the stored value itself, which it
-- recognizes without reading the document).
CREATE OR REPLACE FUNCTION cqrs_configuration_doc_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF jsonb_has_path_changed(OLD.data, NEW.data, '{}') THEN
		UPDATE tv_allocation
		SET data = jsonb_merge_at_path(data, NEW.data, '{network_configuration}')
		WHERE network_configuration_id = NEW.id;
	END IF;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_configuration_doc ON tv_network_configuration;
CREATE TRIGGER cqrs_configuration_doc AFTER UPDATE ON tv_network_configuration
	FOR EACH ROW EXECUTE FUNCTION cqrs_configuration_doc_row();

-- bench_allocations -----------------------------------------------------

CREATE OR REPLACE FUNCTION cqrs_allocation_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	fields jsonb;
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM tv_allocation WHERE id = OLD.id;
		RETURN NULL;
	END IF;
	fields := cqrs_allocation_fields(NEW);
	-- the configuration document to embed cannot change until this
	-- transaction ends, and a change in progress ends before it is read
	-- (see Concurrency above)
	IF TG_OP = 'INSERT'
		OR NEW.network_configuration_id IS DISTINCT FROM OLD.network_configuration_id THEN
		PERFORM 1 FROM tv_network_configuration
		WHERE id = NEW.network_configuration_id FOR SHARE;
	END IF;
	IF TG_OP = 'INSERT' THEN
		INSERT INTO tv_allocation VALUES (NEW.id, NEW.network_configuration_id,
			fields || jsonb_build_object('network_configuration',
				cqrs_embedded_configuration(NEW.network_configuration_id)));
		RETURN NULL;
	END IF;
	IF NEW.network_configuration_id IS DISTINCT FROM OLD.network_configuration_id THEN
		fields := fields || jsonb_build_object('network_configuration',
			cqrs_embedded_configuration(NEW.network_configuration_id));
	END IF;
	UPDATE tv_allocation
	SET id = NEW.id, network_configuration_id = NEW.network_configuration_id,
		data = jsonb_merge_at_path(data, fields, '{}')
	WHERE id = OLD.id;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS cqrs_allocation ON bench_allocations;
CREATE TRIGGER cqrs_allocation AFTER INSERT OR UPDATE OR DELETE ON bench_allocations
	FOR EACH ROW EXECUTE FUNCTION cqrs_allocation_row();

RESET client_min_messages;
