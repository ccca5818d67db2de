-- recipes/cqrs_projections.sql: the read side of the CQRS fixture, laid out
-- for trigger maintenance with jsonb_ivm.
--
-- Load after fixtures/cqrs.sql has created the base tables (bench_*) and
-- the projection definitions (v_*), and after CREATE EXTENSION jsonb_ivm;
-- then load one of the trigger recipes:
--   recipes/cqrs_row_triggers.sql        row-level triggers
--   recipes/cqrs_statement_triggers.sql  statement-level triggers with
--                                        transition tables (bulk changes)
--
-- This file (re)creates the projections tv_dns_server,
-- tv_network_configuration and tv_allocation, fills them from the
-- definitions, and defines the functions that build one document from the
-- base tables, which the triggers use for new rows.
--
-- It also redefines v_network_configuration so that each embedded server
-- carries its priority: the array is ordered by it, and a server that
-- joins a configuration is put in its place by jsonb_array_insert_where,
-- which finds the place by a key of the elements.
--
-- Why this layout (bench/ measures it):
-- * The allocation -> configuration link is a plain indexed column
--   (tv_allocation.network_configuration_id), not an expression index on
--   data.  Every index on data must be updated whenever data changes, and
--   it rules out HOT updates; a plain column that does not change leaves
--   the update HOT, so PostgreSQL rewrites only the heap tuple.
-- * fillfactor 80 leaves room on each page for the new tuple of a HOT
--   update.  With documents stored out of line (TOAST), the heap tuple is
--   small and the room is cheap.
-- * lz4 (PostgreSQL 14 and later, when built with it) compresses and
--   decompresses documents several times faster than the default pglz;
--   every change of a document compresses it again.

SET client_min_messages = warning;

DROP TABLE IF EXISTS tv_allocation, tv_network_configuration, tv_dns_server;

CREATE TABLE tv_dns_server (
	id integer PRIMARY KEY,
	data jsonb NOT NULL
) WITH (fillfactor = 80);

CREATE TABLE tv_network_configuration (
	id integer PRIMARY KEY,
	data jsonb NOT NULL
) WITH (fillfactor = 80);

CREATE TABLE tv_allocation (
	id integer PRIMARY KEY,
	network_configuration_id integer,
	data jsonb NOT NULL
) WITH (fillfactor = 80);
CREATE INDEX tv_allocation_network_configuration_id_idx
	ON tv_allocation (network_configuration_id);

-- lz4 where this server has it
DO $$
BEGIN
	IF current_setting('server_version_num')::integer >= 140000 THEN
		EXECUTE 'ALTER TABLE tv_network_configuration ALTER COLUMN data SET COMPRESSION lz4';
		EXECUTE 'ALTER TABLE tv_allocation ALTER COLUMN data SET COMPRESSION lz4';
	END IF;
EXCEPTION WHEN feature_not_supported THEN
	NULL;						-- built without lz4: keep pglz
END
$$;

CREATE OR REPLACE VIEW v_network_configuration AS
SELECT nc.id,
	jsonb_build_object(
		'id', nc.id,
		'name', nc.name,
		'gateway_ip', nc.gateway_ip,
		'subnet_mask', nc.subnet_mask,
		'dns_servers', coalesce((
			SELECT jsonb_agg(v.data || jsonb_build_object('priority', m.priority)
				ORDER BY m.priority)
			FROM bench_nc_dns_mapping m
			JOIN v_dns_server v ON v.id = m.dns_server_id
			WHERE m.network_configuration_id = nc.id), '[]'::jsonb),
		'created_at', nc.created_at) AS data
FROM bench_network_configs nc;

-- one document, built from the base tables as the definitions build it

CREATE OR REPLACE FUNCTION cqrs_server_doc(s bench_dns_servers) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', s.id, 'ip', s.ip, 'port', s.port, 'status', s.status)
		|| CASE WHEN s.payload IS NULL THEN '{}'::jsonb
			ELSE jsonb_build_object('payload', s.payload) END
$$;

-- a server as a configuration embeds it: with its priority there
CREATE OR REPLACE FUNCTION cqrs_embedded_server(server_id integer, priority integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT cqrs_server_doc(s) || jsonb_build_object('priority', priority)
	FROM bench_dns_servers s WHERE s.id = server_id
$$;

-- the fields of a configuration document that come from its own row
CREATE OR REPLACE FUNCTION cqrs_configuration_fields(nc bench_network_configs)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', nc.id, 'name', nc.name,
		'gateway_ip', nc.gateway_ip, 'subnet_mask', nc.subnet_mask,
		'created_at', nc.created_at)
$$;

-- the fields of an allocation document that come from its own row
CREATE OR REPLACE FUNCTION cqrs_allocation_fields(a bench_allocations)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', a.id, 'name', a.name,
		'machine', jsonb_build_object('name', a.machine_name, 'status', 'active'),
		'storage', jsonb_build_object('size_gb', a.storage_size_gb, 'type', 'SSD'))
$$;

-- the configuration an allocation embeds, as its projection holds it
CREATE OR REPLACE FUNCTION cqrs_embedded_configuration(configuration_id integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT data FROM tv_network_configuration
		WHERE id = configuration_id), 'null')
$$;

INSERT INTO tv_dns_server SELECT id, data FROM v_dns_server;
INSERT INTO tv_network_configuration SELECT id, data FROM v_network_configuration;
INSERT INTO tv_allocation
	SELECT a.id, a.network_configuration_id, v.data
	FROM bench_allocations a JOIN v_allocation v ON v.id = a.id;
ANALYZE tv_dns_server, tv_network_configuration, tv_allocation;

RESET client_min_messages;
