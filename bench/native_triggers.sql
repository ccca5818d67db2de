-- bench/native_triggers.sql: the server-change path of the trigger
-- recipes written with native SQL only, as a skilled user would write it
-- without jsonb_ivm: jsonb_set at the index found WITH ORDINALITY for one
-- server, one jsonb_agg re-aggregation per configuration for a bulk change,
-- jsonb_set of the embedded configuration in allocations.  The benchmark
-- (bench/triggers.sql) runs it against recipes/cqrs_row_triggers.sql and
-- recipes/cqrs_statement_triggers.sql on the same projections.

SET client_min_messages = warning;

-- row level: one server changed
CREATE OR REPLACE FUNCTION cqrs_native_dns_server_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	doc jsonb := cqrs_server_doc(NEW);
BEGIN
	UPDATE tv_dns_server SET data = doc WHERE id = NEW.id;
	UPDATE tv_network_configuration c
	SET data = jsonb_set(c.data, ARRAY['dns_servers', (
			SELECT (i - 1)::text FROM jsonb_array_elements(c.data -> 'dns_servers')
				WITH ORDINALITY e(e, i)
			WHERE e -> 'id' = to_jsonb(NEW.id) LIMIT 1)],
		doc || jsonb_build_object('priority', m.priority))
	FROM bench_nc_dns_mapping m
	WHERE m.dns_server_id = NEW.id AND c.id = m.network_configuration_id;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_native_configuration_doc_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.data IS DISTINCT FROM NEW.data THEN
		UPDATE tv_allocation
		SET data = jsonb_set(data, '{network_configuration}', NEW.data)
		WHERE network_configuration_id = NEW.id;
	END IF;
	RETURN NULL;
END
$$;

-- statement level: many servers changed, each configuration rebuilt once
CREATE OR REPLACE FUNCTION cqrs_native_dns_server_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tv_dns_server t SET data = cqrs_server_doc(n)
	FROM new_rows n WHERE t.id = n.id;
	UPDATE tv_network_configuration t
	SET data = jsonb_set(t.data, '{dns_servers}', (
		SELECT jsonb_agg(CASE WHEN p.doc IS NULL THEN e
			ELSE p.doc || jsonb_build_object('priority', e -> 'priority') END ORDER BY i)
		FROM jsonb_array_elements(t.data -> 'dns_servers') WITH ORDINALITY x(e, i)
		LEFT JOIN (SELECT n.id, cqrs_server_doc(n) AS doc FROM new_rows n) p
			ON to_jsonb(p.id) = e -> 'id'))
	WHERE t.id IN (SELECT m.network_configuration_id FROM bench_nc_dns_mapping m
		WHERE m.dns_server_id IN (SELECT id FROM new_rows));
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cqrs_native_configuration_doc_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tv_allocation a
	SET data = jsonb_set(a.data, '{network_configuration}', n.data)
	FROM new_rows n JOIN old_rows o ON o.id = n.id
	WHERE a.network_configuration_id = n.id AND o.data IS DISTINCT FROM n.data;
	RETURN NULL;
END
$$;

RESET client_min_messages;
