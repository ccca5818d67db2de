-- bench/memory.sql: inputs of the memory level of bench/run.sh.
--
-- Peak backend memory of one call: the runner opens a fresh backend per
-- measurement, touches the stored documents' pages (so that shared buffers
-- already count in its resident set), runs the same expression once on a
-- tiny document (catalog caches, plans), resets the kernel's peak resident
-- set size of the backend (echo 5 > /proc/<pid>/clear_refs, as root), reads
-- VmHWM, runs the measured call on one stored document and reads VmHWM
-- again.  The difference is what the call (detoast included) added at its
-- peak; the floor (detoast + memcpy) shows the part every contender pays.
--
-- Needs bench/operations.sql.

-- Documents shaped like the fixture's, of about 100 KB and 10 MB, and a
-- tiny one for the warm-up: a configuration with n servers, and an
-- allocation embedding it.
CREATE OR REPLACE FUNCTION bench.prepare_memory_cases()
RETURNS TABLE (mem_size text, mem_op text, doc_bytes integer)
LANGUAGE plpgsql
AS $fn$
BEGIN
	DROP TABLE IF EXISTS bench.mem_case;
	CREATE TABLE bench.mem_case (
		size text,
		op text,
		d jsonb,
		m jsonb,
		u jsonb,
		d2 jsonb,
		PRIMARY KEY (size, op)
	);

	WITH sizes (size, servers) AS (
		VALUES ('tiny', 5), ('100 KB', 1100), ('10 MB', 110000)
	),
	conf AS (
		SELECT s.size, s.servers,
			jsonb_build_object('id', 1, 'name', 'Network Config 1',
				'gateway_ip', '192.168.1.1', 'subnet_mask', '255.255.255.0',
				'dns_servers', (SELECT jsonb_agg(jsonb_build_object('id', i,
						'ip', '8.8.' || (i % 256) || '.' || ((i / 256) % 256),
						'port', 53 + (i % 10),
						'status', CASE WHEN i % 5 = 0 THEN 'inactive' ELSE 'active' END)
						ORDER BY i)
					FROM generate_series(1, s.servers) i),
				'created_at', '2024-01-01T00:00:00+00:00') AS doc
		FROM sizes s
	),
	alloc AS (
		SELECT c.size, c.servers,
			jsonb_build_object('id', 1, 'name', 'Allocation 1', 'network_configuration', c.doc,
				'machine', jsonb_build_object('name', 'Machine-1', 'status', 'active'),
				'storage', jsonb_build_object('size_gb', 200, 'type', 'SSD')) AS doc
		FROM conf c
	)
	INSERT INTO bench.mem_case (size, op, d, m, u, d2)
	SELECT c.size, 'update', c.doc, to_jsonb(c.servers / 2 + 1), '{"ip": "9.9.9.9"}'::jsonb,
		NULL::jsonb
	FROM conf c
	UNION ALL
	SELECT c.size, 'upsert_replace', c.doc, to_jsonb(c.servers / 2 + 1),
		c.doc->'dns_servers'->(c.servers / 2) || '{"ip": "9.9.9.9", "status": "replaced"}', NULL
	FROM conf c
	UNION ALL
	SELECT c.size, 'upsert_append', c.doc, to_jsonb(1000000),
		c.doc->'dns_servers'->(c.servers / 2) || '{"id": 1000000, "ip": "9.9.9.9"}', NULL
	FROM conf c
	UNION ALL
	SELECT a.size, 'merge', a.doc, NULL, '{"name": "renamed", "gateway_ip": "10.0.0.1"}', NULL
	FROM alloc a
	UNION ALL
	SELECT a.size, 'changed', a.doc, NULL, NULL, jsonb_set(a.doc, '{machine,status}', '"retired"')
	FROM alloc a
	UNION ALL
	SELECT c.size, 'delete', c.doc, to_jsonb(c.servers / 2 + 1), NULL, NULL
	FROM conf c
	UNION ALL
	-- the servers of the sorted insert carry their priority (= their id)
	SELECT c.size, 'insert',
		jsonb_set(c.doc, '{dns_servers}', (SELECT jsonb_agg(x.elem || jsonb_build_object('priority', x.ord)
				ORDER BY x.ord)
			FROM jsonb_array_elements(c.doc->'dns_servers') WITH ORDINALITY AS x (elem, ord))),
		NULL, c.doc->'dns_servers'->(c.servers / 2)
			|| jsonb_build_object('id', 1000000, 'ip', '9.9.9.9', 'priority', c.servers / 2 + 1.5),
		NULL
	FROM conf c
	UNION ALL
	-- 100 patches spread over the array (a bulk change of 100 servers);
	-- more would only measure the seed's quadratic lookup
	SELECT c.size, 'batch', c.doc, NULL,
		(SELECT jsonb_agg(jsonb_build_object('id', i, 'ip', '9.9.9.9') ORDER BY i)
		 FROM generate_series(3, c.servers, greatest(1, c.servers / 100)) i), NULL
	FROM conf c
	UNION ALL
	SELECT a.size, 'deep_merge', a.doc, NULL,
		'{"network_configuration": {"name": "renamed", "gateway_ip": "10.0.0.1"}, "machine": {"status": "maintenance"}}',
		NULL
	FROM alloc a
	UNION ALL
	SELECT a.size, 'merge_patch', a.doc, NULL,
		'{"network_configuration": {"name": "renamed", "gateway_ip": null}, "machine": {"status": "maintenance"}}',
		NULL
	FROM alloc a;

	ANALYZE bench.mem_case;
	-- (the output columns are not named size and op: those are the table's)
	RETURN QUERY
	SELECT c.size, c.op, pg_column_size(bench.detoast_copy(c.d))
	FROM bench.mem_case c
	ORDER BY c.size, c.op;
END
$fn$;

-- The measured statement of one memory sample.
CREATE OR REPLACE FUNCTION bench.mem_query(op_name text, contender text, size text)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
	SELECT format('SELECT (%s) IS NOT NULL FROM bench.mem_case c WHERE c.size = %L AND c.op = %L',
		bench.expr(op_name, contender, 'c.d', 'c.m', 'c.u', 'c.d2'), size, op_name)
$fn$;

CREATE TABLE IF NOT EXISTS bench.memory_sample (
	size text,
	op text,
	contender text,
	round integer,
	peak_kb bigint,		-- VmHWM after the call minus VmHWM (= VmRSS) before
	doc_bytes bigint
);

-- VmHWM or VmRSS of this backend, in kB (superuser: reads /proc/self).
CREATE OR REPLACE FUNCTION bench.vm_kb(field text)
RETURNS bigint
LANGUAGE sql
AS $fn$
	SELECT substring(pg_read_file('/proc/self/status') FROM field || ':\s*(\d+)')::bigint
$fn$;
