-- The README's getting-started section, exactly: base tables, three
-- projections declared by their queries, then a change of every kind on
-- every source table, each followed by the check that every projection
-- equals its query.
SET client_min_messages = warning;
CREATE TABLE dns_server (id int PRIMARY KEY, ip text, port int);
CREATE TABLE network_configuration (id int PRIMARY KEY, name text);
CREATE TABLE nc_dns (network_configuration_id int REFERENCES network_configuration,
    dns_server_id int REFERENCES dns_server, priority int NOT NULL,
    PRIMARY KEY (network_configuration_id, dns_server_id),
    UNIQUE (network_configuration_id, priority));
CREATE INDEX ON nc_dns (dns_server_id);
CREATE TABLE allocation (id int PRIMARY KEY, name text,
    network_configuration_id int REFERENCES network_configuration);
CREATE INDEX ON allocation (network_configuration_id);

INSERT INTO dns_server SELECT i, '10.0.0.' || i, 53 FROM generate_series(1, 6) i;
INSERT INTO network_configuration VALUES (1, 'office'), (2, 'lab'), (3, 'empty');
INSERT INTO nc_dns VALUES (1, 1, 2), (1, 2, 1), (1, 3, 3), (2, 3, 1), (2, 4, 2);
INSERT INTO allocation VALUES (1, 'a1', 1), (2, 'a2', 1), (3, 'a3', 2), (4, 'a4', NULL);

SELECT jsonb_ivm_create_projection('tv_dns_server', $$
    SELECT s.id, jsonb_build_object('id', s.id, 'ip', s.ip, 'port', s.port) AS data
    FROM dns_server s $$);

SELECT jsonb_ivm_create_projection('tv_network_configuration', $$
    SELECT nc.id, jsonb_build_object('id', nc.id, 'name', nc.name,
        'dns_servers', coalesce((
            SELECT jsonb_agg(v.data ORDER BY m.priority)
            FROM nc_dns m JOIN tv_dns_server v ON v.id = m.dns_server_id
            WHERE m.network_configuration_id = nc.id), '[]')) AS data
    FROM network_configuration nc $$);

SELECT jsonb_ivm_create_projection('tv_allocation', $$
    SELECT a.id, jsonb_build_object('id', a.id, 'name', a.name,
        'network_configuration', nc.data) AS data
    FROM allocation a
    LEFT JOIN tv_network_configuration nc ON nc.id = a.network_configuration_id $$);

SELECT * FROM jsonb_ivm_explain_projection('tv_network_configuration');

CREATE FUNCTION pg_temp.checks() RETURNS TABLE (projection text, key text, problem text)
LANGUAGE sql AS $$
	SELECT p, c.key, c.problem
	FROM unnest('{tv_dns_server,tv_network_configuration,tv_allocation}'::text[]) p,
		jsonb_ivm_check_projection(p) c
$$;

SELECT * FROM jsonb_ivm_check_projection('tv_allocation');
SELECT * FROM pg_temp.checks();
SELECT data FROM tv_allocation WHERE id = 1;

-- a server changes: replaced inside configurations 1 and 2 and their allocations
UPDATE dns_server SET ip = '9.9.9.9' WHERE id = 3;
SELECT * FROM pg_temp.checks();
SELECT data FROM tv_allocation WHERE id = 3;
-- a server joins at the front, one leaves, one changes priority
INSERT INTO nc_dns VALUES (1, 5, 0);
DELETE FROM nc_dns WHERE network_configuration_id = 1 AND dns_server_id = 2;
UPDATE nc_dns SET priority = 9 WHERE network_configuration_id = 2 AND dns_server_id = 3;
SELECT * FROM pg_temp.checks();
SELECT data->'dns_servers' FROM tv_network_configuration ORDER BY id;
-- a configuration is renamed; an allocation moves, one loses its configuration
UPDATE network_configuration SET name = 'head office' WHERE id = 1;
UPDATE allocation SET network_configuration_id = 3 WHERE id = 2;
UPDATE allocation SET network_configuration_id = NULL WHERE id = 1;
SELECT * FROM pg_temp.checks();
-- bulk changes, deletes, a key change
UPDATE dns_server SET port = port + 1;
DELETE FROM nc_dns WHERE dns_server_id = 4;
DELETE FROM dns_server WHERE id = 4;
UPDATE allocation SET id = 40 WHERE id = 4;
INSERT INTO allocation VALUES (5, 'a5', 2);
SELECT * FROM pg_temp.checks();
-- truncate and refill the mapping
BEGIN;
TRUNCATE nc_dns;
SELECT * FROM pg_temp.checks();
INSERT INTO nc_dns VALUES (2, 1, 1), (2, 6, 2);
COMMIT;
SELECT * FROM pg_temp.checks();
SELECT id, data FROM tv_allocation ORDER BY id;
-- the projections, byte for byte what their queries build
SELECT count(*) AS differing FROM (
	(SELECT id, data::text FROM tv_allocation
	 EXCEPT ALL
	 SELECT a.id, jsonb_build_object('id', a.id, 'name', a.name,
		'network_configuration', nc.data)::text
	 FROM allocation a LEFT JOIN tv_network_configuration nc ON nc.id = a.network_configuration_id)
	UNION ALL
	(SELECT a.id, jsonb_build_object('id', a.id, 'name', a.name,
		'network_configuration', nc.data)::text
	 FROM allocation a LEFT JOIN tv_network_configuration nc ON nc.id = a.network_configuration_id
	 EXCEPT ALL
	 SELECT id, data::text FROM tv_allocation)) d;
-- a direct write to a projection is refused (expected to fail)
UPDATE tv_allocation SET data = '{}' WHERE id = 3;
SELECT jsonb_ivm_drop_projection('tv_allocation');
SELECT jsonb_ivm_drop_projection('tv_network_configuration');
SELECT jsonb_ivm_drop_projection('tv_dns_server');
DROP TABLE allocation, nc_dns, network_configuration, dns_server;
