-- What Citus refuses with this layout, and what another layout allows.
-- Statements marked "fails" are expected to fail.
\set VERBOSITY terse

-- fails: the native single cascade of the benchmark (contender seed)
-- finds the configurations with a CTE, which Citus does not combine with a
-- correlated subquery; the bulk cascade's form (cascade_native.sql) runs
SELECT bench.cascade('seed', 7, '10.7.0.1', true);

-- fails: a function that is not IMMUTABLE, called with a column, in an
-- UPDATE of a distributed table: Citus evaluates such a function on the
-- coordinator before it sends the statement, and cannot with a column as
-- argument.  jsonb_ivm's functions are IMMUTABLE.
CREATE FUNCTION stable_merge(doc jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN jsonb_merge_at_path(doc, patch, '{}'); END $$;
UPDATE tv_network_configuration SET data = stable_merge(data, '{"name": "x"}') WHERE id = 1;
DROP FUNCTION stable_merge(jsonb, jsonb);

-- fails: an allocation cannot move to another configuration, since that
-- changes its distribution column (a DELETE and an INSERT can)
UPDATE bench_allocations SET network_configuration_id = 2 WHERE id = 1;

-- fails: nor can it have none
INSERT INTO bench_allocations VALUES (1000, 'Allocation 1000', NULL, 'Machine-1000', 100);

-- fails: a unique key without the distribution column
ALTER TABLE tv_allocation ADD UNIQUE (id);

-- fails: a trigger on a distributed table, unless
-- citus.enable_unsafe_triggers is on
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER noop AFTER UPDATE ON tv_network_configuration
	FOR EACH ROW EXECUTE FUNCTION noop();
DROP FUNCTION noop();

-- Allocations distributed by their own id instead (schema by_id, first in
-- search_path): the allocation step's join with the configurations is not
-- on both distribution columns.
SET client_min_messages = warning;
SET citus.shard_count = 4;
CREATE SCHEMA by_id;
CREATE TABLE by_id.tv_allocation (LIKE tv_allocation INCLUDING ALL);
ALTER TABLE by_id.tv_allocation DROP CONSTRAINT tv_allocation_pkey,
	ADD PRIMARY KEY (id);
SELECT create_distributed_table('by_id.tv_allocation', 'id', colocate_with => 'none');
RESET client_min_messages;
SET search_path = by_id, public;
-- the jsonb_ivm step, which joins no other projection (it takes the
-- server's document from a reference table), still runs
SELECT bench.cascade_allocations('ivm', 7, true);
-- fails: the native steps, which copy each configuration document into its
-- allocations, cannot join the configurations
SELECT bench.cascade_allocations('seed', 7, true);
SELECT bench.cascade_allocations('best', 7, true);
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA by_id CASCADE;
