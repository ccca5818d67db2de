-- Found by the random projection net (test/t/080_projection_net.pl),
-- seed 164, shrunk: divergence after statement 1 in p1:
-- missing (00000000-0000-4000-8000-000000002200,"{""id"": ""00000000-0000-4000-8000-000000002200""}")
-- Every DIVERGE query returns no row.
CREATE ROLE regress_net_owner;
CREATE ROLE regress_net_writer;
DO $$BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_net_owner', current_database()); END$$;
SET client_min_messages = warning;
SET ROLE regress_net_owner;
CREATE SCHEMA net AUTHORIZATION regress_net_owner;
SET search_path = net, public;
SET TimeZone = 'UTC';
CREATE TABLE "note" (
	"id" uuid NOT NULL,
	"parent_id" uuid,
	"pos" int NOT NULL,
	PRIMARY KEY ("id"),
	UNIQUE ("parent_id", "pos"));
ALTER TABLE "note" ADD FOREIGN KEY ("parent_id") REFERENCES "note" ON DELETE SET DEFAULT ON UPDATE CASCADE;
CREATE INDEX ON "note" ("parent_id");
GRANT USAGE ON SCHEMA net TO regress_net_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA net TO regress_net_writer;
SELECT jsonb_ivm_create_projection('p1', 'SELECT a4."id", jsonb_build_object(''id'', a4."id") AS data FROM "note" a4');
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA net TO regress_net_writer;
SELECT 'p1' || '|' || CASE e.source WHEN pg_catalog.format('%I.%I', 'net', 'ledger') THEN '0' WHEN pg_catalog.format('%I.%I', 'net', 'label') THEN '1' WHEN pg_catalog.format('%I.%I', 'net', 'node') THEN '2' WHEN pg_catalog.format('%I.%I', 'net', 'note') THEN '3' WHEN pg_catalog.format('%I.%I', 'net', 'dash-ed') THEN '4' ELSE '?' END || '|' || e.change || '|' || e.maintenance FROM jsonb_ivm_explain_projection('p1') e;
SELECT 'DIVERGE p1 ' || x FROM ((SELECT 'extra ' || t::text FROM (SELECT "id", data FROM "p1") t EXCEPT ALL SELECT 'extra ' || q::text FROM (SELECT a4."id", jsonb_build_object('id', a4."id") AS data FROM "note" a4) q) UNION ALL (SELECT 'missing ' || q::text FROM (SELECT a4."id", jsonb_build_object('id', a4."id") AS data FROM "note" a4) q EXCEPT ALL SELECT 'missing ' || t::text FROM (SELECT "id", data FROM "p1") t) UNION ALL SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection('p1') c) d(x) LIMIT 3;
INSERT INTO "note" ("id", "parent_id", "pos") VALUES ('00000000-0000-4000-8000-000000001400'::uuid, (SELECT "id" FROM "note" ORDER BY "id" OFFSET 940 % greatest((SELECT count(*) FROM "note"), 1) LIMIT 1), 20) ON CONFLICT ("id") DO UPDATE SET "pos" = EXCLUDED."pos";
SELECT 'DIVERGE p1 ' || x FROM ((SELECT 'extra ' || t::text FROM (SELECT "id", data FROM "p1") t EXCEPT ALL SELECT 'extra ' || q::text FROM (SELECT a4."id", jsonb_build_object('id', a4."id") AS data FROM "note" a4) q) UNION ALL (SELECT 'missing ' || q::text FROM (SELECT a4."id", jsonb_build_object('id', a4."id") AS data FROM "note" a4) q EXCEPT ALL SELECT 'missing ' || t::text FROM (SELECT "id", data FROM "p1") t) UNION ALL SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection('p1') c) d(x) LIMIT 3;
UPDATE "note" SET "parent_id" = (SELECT "id" FROM "note" ORDER BY "id" OFFSET 294 % greatest((SELECT count(*) FROM "note"), 1) LIMIT 1), "id" = '00000000-0000-4000-8000-000000002200'::uuid WHERE ("id") IN (SELECT "id" FROM "note" ORDER BY "id" OFFSET 34 % greatest((SELECT count(*) FROM "note"), 1) LIMIT 1);
SELECT 'DIVERGE p1 ' || x FROM ((SELECT 'extra ' || t::text FROM (SELECT "id", data FROM "p1") t EXCEPT ALL SELECT 'extra ' || q::text FROM (SELECT a4."id", jsonb_build_object('id', a4."id") AS data FROM "note" a4) q) UNION ALL (SELECT 'missing ' || q::text FROM (SELECT a4."id", jsonb_build_object('id', a4."id") AS data FROM "note" a4) q EXCEPT ALL SELECT 'missing ' || t::text FROM (SELECT "id", data FROM "p1") t) UNION ALL SELECT 'check ' || c.key || ': ' || c.problem FROM jsonb_ivm_check_projection('p1') c) d(x) LIMIT 3;
SELECT jsonb_ivm_drop_projection('net.p1');
DROP SCHEMA net CASCADE;
RESET ROLE;
DO $$BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_net_owner', current_database()); END$$;
DROP ROLE regress_net_owner;
DROP ROLE regress_net_writer;
