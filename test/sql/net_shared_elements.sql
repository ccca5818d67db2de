-- Found by the random projection net (test/t/080_projection_net.pl),
-- seed 98, shrunk: divergence after statement 0 in p1:
-- extra (5,"{""id"": 5, ""arr_n_c_d_2"": null}")
-- Every DIVERGE query returns no row.
CREATE ROLE regress_net_owner;
CREATE ROLE regress_net_writer;
DO $$BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_net_owner', current_database()); END$$;
SET client_min_messages = warning;
SET ROLE regress_net_owner;
CREATE SCHEMA net AUTHORIZATION regress_net_owner;
SET search_path = net, public;
SET TimeZone = 'UTC';
CREATE TABLE "item" (
	"id" int NOT NULL,
	PRIMARY KEY ("id"));
CREATE TABLE "ünïcödé" (
	"id" int NOT NULL,
	"item_id" int,
	"item_id_1" int,
	"item_id_2" int NOT NULL,
	"name" interval NOT NULL,
	"ratio" interval NOT NULL,
	"deleted" boolean NOT NULL DEFAULT false,
	"pos" int NOT NULL,
	PRIMARY KEY ("id"),
	UNIQUE ("item_id", "pos"));
ALTER TABLE "ünïcödé" ADD FOREIGN KEY ("item_id") REFERENCES "item" ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX ON "ünïcödé" ("item_id");
ALTER TABLE "ünïcödé" ADD FOREIGN KEY ("item_id_1") REFERENCES "item" ON DELETE RESTRICT ON UPDATE NO ACTION;
CREATE INDEX ON "ünïcödé" ("item_id_1");
ALTER TABLE "ünïcödé" ADD FOREIGN KEY ("item_id_2") REFERENCES "item" ON DELETE RESTRICT ON UPDATE NO ACTION;
CREATE INDEX ON "ünïcödé" ("item_id_2");
GRANT USAGE ON SCHEMA net TO regress_net_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA net TO regress_net_writer;
INSERT INTO "item" ("id") SELECT (1 + g) FROM pg_catalog.generate_series(1, 6) g;
INSERT INTO "ünïcödé" ("id", "item_id", "item_id_1", "item_id_2", "name", "ratio", "deleted", "pos") SELECT (101 + g), NULL, (SELECT "id" FROM "item" ORDER BY "id" OFFSET (890 + g * 7) % greatest((SELECT count(*) FROM "item"), 1) LIMIT 1), (SELECT "id" FROM "item" ORDER BY "id" OFFSET (197 + g * 7) % greatest((SELECT count(*) FROM "item"), 1) LIMIT 1), '3 days 04:05:06.5'::interval, '02:30:00'::interval, false, (2 + g) FROM pg_catalog.generate_series(1, 7) g;
SELECT jsonb_ivm_create_projection('p0', 'SELECT a0."id", jsonb_build_object(''id'', a0."id", ''arr_n_c_d_2'', coalesce((SELECT jsonb_agg(''{}''::jsonb ORDER BY a5."name", a5."id" DESC) FROM "ünïcödé" a5 WHERE a5."item_id_1" = a0."id" AND NOT a5."deleted"), ''[]'')) AS data FROM "item" a0');
SELECT jsonb_ivm_create_projection('p1', 'SELECT a8."id", jsonb_build_object(''id'', a8."id", ''arr_n_c_d_2'', (SELECT jsonb_agg(a10.data ORDER BY a9."ratio" DESC, a9."id" DESC) FROM "ünïcödé" a9 JOIN "p0" a10 ON a10."id" = a9."item_id_2" WHERE a9."item_id_1" = a8."id" AND NOT a9."deleted")) AS data FROM "item" a8');
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA net TO regress_net_writer;
SELECT 'p0' || '|' || CASE e.source WHEN pg_catalog.format('%I.%I', 'net', 'item') THEN '0' WHEN pg_catalog.format('%I.%I', 'net', 'ünïcödé') THEN '1' WHEN pg_catalog.format('%I.%I', 'net', 'select') THEN '2' ELSE '?' END || '|' || e.change || '|' || e.maintenance FROM jsonb_ivm_explain_projection('p0') e;
SELECT 'p1' || '|' || CASE e.source WHEN pg_catalog.format('%I.%I', 'net', 'item') THEN '0' WHEN pg_catalog.format('%I.%I', 'net', 'ünïcödé') THEN '1' WHEN pg_catalog.format('%I.%I', 'net', 'select') THEN '2' ELSE '?' END || '|' || e.change || '|' || e.maintenance FROM jsonb_ivm_explain_projection('p1') e;
SELECT 'DIVERGE p0 ' || x FROM ((SELECT 'extra ' || t::text FROM (SELECT "id", data FROM "p0") t EXCEPT ALL SELECT 'extra ' || q::text FROM (SELECT a0."id", jsonb_build_object('id', a0."id", 'arr_n_c_d_2', coalesce((SELECT jsonb_agg('{}'::jsonb ORDER BY a5."name", a5."id" DESC) FROM "ünïcödé" a5 WHERE a5."item_id_1" = a0."id" AND NOT a5."deleted"), '[]')) AS data FROM "item" a0) q) UNION ALL (SELECT 'missing ' || q::text FROM (SELECT a0."id", jsonb_build_object('id', a0."id", 'arr_n_c_d_2', coalesce((SELECT jsonb_agg('{}'::jsonb ORDER BY a5."name", a5."id" DESC) FROM "ünïcödé" a5 WHERE a5."item_id_1" = a0."id" AND NOT a5."deleted"), '[]')) AS data FROM "item" a0) q EXCEPT ALL SELECT 'missing ' || t::text FROM (SELECT "id", data FROM "p0") t) UNION ALL SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection('p0') c) d(x) LIMIT 3;
SELECT 'DIVERGE p1 ' || x FROM ((SELECT 'extra ' || t::text FROM (SELECT "id", data FROM "p1") t EXCEPT ALL SELECT 'extra ' || q::text FROM (SELECT a8."id", jsonb_build_object('id', a8."id", 'arr_n_c_d_2', (SELECT jsonb_agg(a10.data ORDER BY a9."ratio" DESC, a9."id" DESC) FROM "ünïcödé" a9 JOIN "p0" a10 ON a10."id" = a9."item_id_2" WHERE a9."item_id_1" = a8."id" AND NOT a9."deleted")) AS data FROM "item" a8) q) UNION ALL (SELECT 'missing ' || q::text FROM (SELECT a8."id", jsonb_build_object('id', a8."id", 'arr_n_c_d_2', (SELECT jsonb_agg(a10.data ORDER BY a9."ratio" DESC, a9."id" DESC) FROM "ünïcödé" a9 JOIN "p0" a10 ON a10."id" = a9."item_id_2" WHERE a9."item_id_1" = a8."id" AND NOT a9."deleted")) AS data FROM "item" a8) q EXCEPT ALL SELECT 'missing ' || t::text FROM (SELECT "id", data FROM "p1") t) UNION ALL SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection('p1') c) d(x) LIMIT 3;
DELETE FROM "ünïcödé" WHERE ("id") IN (SELECT "id" FROM "ünïcödé" ORDER BY "id" OFFSET 583 % greatest((SELECT count(*) FROM "ünïcödé"), 1) LIMIT 19);
SELECT 'DIVERGE p0 ' || x FROM ((SELECT 'extra ' || t::text FROM (SELECT "id", data FROM "p0") t EXCEPT ALL SELECT 'extra ' || q::text FROM (SELECT a0."id", jsonb_build_object('id', a0."id", 'arr_n_c_d_2', coalesce((SELECT jsonb_agg('{}'::jsonb ORDER BY a5."name", a5."id" DESC) FROM "ünïcödé" a5 WHERE a5."item_id_1" = a0."id" AND NOT a5."deleted"), '[]')) AS data FROM "item" a0) q) UNION ALL (SELECT 'missing ' || q::text FROM (SELECT a0."id", jsonb_build_object('id', a0."id", 'arr_n_c_d_2', coalesce((SELECT jsonb_agg('{}'::jsonb ORDER BY a5."name", a5."id" DESC) FROM "ünïcödé" a5 WHERE a5."item_id_1" = a0."id" AND NOT a5."deleted"), '[]')) AS data FROM "item" a0) q EXCEPT ALL SELECT 'missing ' || t::text FROM (SELECT "id", data FROM "p0") t) UNION ALL SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection('p0') c) d(x) LIMIT 3;
SELECT 'DIVERGE p1 ' || x FROM ((SELECT 'extra ' || t::text FROM (SELECT "id", data FROM "p1") t EXCEPT ALL SELECT 'extra ' || q::text FROM (SELECT a8."id", jsonb_build_object('id', a8."id", 'arr_n_c_d_2', (SELECT jsonb_agg(a10.data ORDER BY a9."ratio" DESC, a9."id" DESC) FROM "ünïcödé" a9 JOIN "p0" a10 ON a10."id" = a9."item_id_2" WHERE a9."item_id_1" = a8."id" AND NOT a9."deleted")) AS data FROM "item" a8) q) UNION ALL (SELECT 'missing ' || q::text FROM (SELECT a8."id", jsonb_build_object('id', a8."id", 'arr_n_c_d_2', (SELECT jsonb_agg(a10.data ORDER BY a9."ratio" DESC, a9."id" DESC) FROM "ünïcödé" a9 JOIN "p0" a10 ON a10."id" = a9."item_id_2" WHERE a9."item_id_1" = a8."id" AND NOT a9."deleted")) AS data FROM "item" a8) q EXCEPT ALL SELECT 'missing ' || t::text FROM (SELECT "id", data FROM "p1") t) UNION ALL SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection('p1') c) d(x) LIMIT 3;
SELECT jsonb_ivm_drop_projection('net.p1');
SELECT jsonb_ivm_drop_projection('net.p0');
DROP SCHEMA net CASCADE;
RESET ROLE;
DO $$BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_net_owner', current_database()); END$$;
DROP ROLE regress_net_owner;
DROP ROLE regress_net_writer;
