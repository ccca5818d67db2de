-- The README's trigger example, run as written: projections maintained by
-- triggers stay equal to a rebuild from the base tables.
\pset null '(null)'

-- section: base tables and projections
CREATE TABLE dns_server (id int PRIMARY KEY, ip text NOT NULL, port int NOT NULL);
CREATE TABLE network_configuration (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE nc_dns (
	network_configuration_id int REFERENCES network_configuration,
	dns_server_id int REFERENCES dns_server,
	priority int NOT NULL,
	PRIMARY KEY (network_configuration_id, dns_server_id));
CREATE TABLE allocation (id int PRIMARY KEY,
	network_configuration_id int REFERENCES network_configuration);

-- read side: one document per row, foreign ids as plain indexed columns
CREATE TABLE tv_network_configuration (id int PRIMARY KEY, data jsonb NOT NULL);
CREATE TABLE tv_allocation (id int PRIMARY KEY,
	network_configuration_id int NOT NULL, data jsonb NOT NULL);
CREATE INDEX ON tv_allocation (network_configuration_id);

-- what the projections must always equal
CREATE VIEW v_network_configuration AS
SELECT nc.id, jsonb_build_object('id', nc.id, 'name', nc.name,
	'dns_servers', coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'ip', s.ip, 'port', s.port)
		ORDER BY m.priority) FROM nc_dns m JOIN dns_server s ON s.id = m.dns_server_id
		WHERE m.network_configuration_id = nc.id), '[]')) AS data
FROM network_configuration nc;
CREATE VIEW v_allocation AS
SELECT a.id, a.network_configuration_id,
	jsonb_build_object('id', a.id, 'network_configuration', v.data) AS data
FROM allocation a JOIN v_network_configuration v ON v.id = a.network_configuration_id;

INSERT INTO dns_server SELECT i, '10.0.0.' || i, 53 FROM generate_series(1, 20) i;
INSERT INTO network_configuration SELECT i, 'net ' || i FROM generate_series(1, 4) i;
INSERT INTO nc_dns SELECT c, s, s FROM generate_series(1, 4) c, generate_series(1, 20) s WHERE (s + c) % 2 = 0;
INSERT INTO allocation SELECT i, i % 4 + 1 FROM generate_series(1, 12) i;
INSERT INTO tv_network_configuration SELECT * FROM v_network_configuration;
INSERT INTO tv_allocation SELECT * FROM v_allocation;

-- section: the triggers
-- a DNS server changed: patch it inside every configuration that embeds it
CREATE FUNCTION dns_server_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tv_network_configuration c
	SET data = jsonb_array_update_where(c.data, '{dns_servers}', 'id', to_jsonb(NEW.id),
		jsonb_build_object('ip', NEW.ip, 'port', NEW.port))
	WHERE c.id IN (SELECT network_configuration_id FROM nc_dns
		WHERE dns_server_id = NEW.id);
	RETURN NULL;
END
$$;
CREATE TRIGGER dns_server_changed AFTER UPDATE ON dns_server
	FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION dns_server_changed();

-- a configuration document changed: carry it into the allocations that
-- embed it, unless its embedded part did not change
CREATE FUNCTION configuration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF jsonb_has_path_changed(OLD.data, NEW.data, '{}') THEN
		UPDATE tv_allocation a
		SET data = jsonb_merge_at_path(a.data, NEW.data, '{network_configuration}')
		WHERE a.network_configuration_id = NEW.id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER configuration_changed AFTER UPDATE ON tv_network_configuration
	FOR EACH ROW EXECUTE FUNCTION configuration_changed();

-- section: changes, and the projections compared with a rebuild
UPDATE dns_server SET ip = '9.9.9.9' WHERE id = 4;
UPDATE dns_server SET port = 5353 WHERE id IN (1, 2, 3);
UPDATE dns_server SET ip = ip;
SELECT data -> 'dns_servers' -> 1 AS second_server FROM tv_network_configuration WHERE id = 2;
SELECT data #> '{network_configuration,dns_servers,1}' AS second_server FROM tv_allocation WHERE id = 1;
-- compared as text, which = is not: 53 and 53.0 are equal jsonb
CREATE VIEW differences AS
	(SELECT 'configuration' AS projection, id, data::text FROM tv_network_configuration
	 EXCEPT ALL SELECT 'configuration', id, data::text FROM v_network_configuration)
	UNION ALL
	(SELECT 'configuration (rebuild)', id, data::text FROM v_network_configuration
	 EXCEPT ALL SELECT 'configuration (rebuild)', id, data::text FROM tv_network_configuration)
	UNION ALL
	(SELECT 'allocation', id, data::text FROM tv_allocation
	 EXCEPT ALL SELECT 'allocation', id, data::text FROM v_allocation)
	UNION ALL
	(SELECT 'allocation (rebuild)', id, data::text FROM v_allocation
	 EXCEPT ALL SELECT 'allocation (rebuild)', id, data::text FROM tv_allocation);
SELECT * FROM differences;
-- the comparison can fail: a change the triggers do not see
UPDATE nc_dns SET priority = 100 - priority WHERE network_configuration_id = 1;
SELECT projection, count(*) FROM differences GROUP BY 1 ORDER BY 1;

DROP VIEW differences, v_allocation, v_network_configuration;
DROP TABLE tv_allocation, tv_network_configuration, nc_dns, allocation, network_configuration, dns_server;
DROP FUNCTION dns_server_changed(), configuration_changed();
