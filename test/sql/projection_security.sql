-- Projections and privileges: creating one requires what the generated
-- objects imply, its table refuses direct writes, its sources cannot be
-- dropped from under it; hostile names are quoted everywhere.
SET client_min_messages = warning;
-- the errors without their CONTEXT lines, which number the lines of the
-- extension's functions
\set SHOW_CONTEXT never

-- section: hostile identifiers: quotes, spaces, mixed case, multibyte
CREATE SCHEMA "Sch ""q""";
CREATE TABLE "Sch ""q"""."Root Tåble" ("Id" integer PRIMARY KEY, "na'me" text, "x; DROP TABLE y" integer);
CREATE TABLE "Sch ""q"""."ch""ild" ("ID" integer PRIMARY KEY, "Root Id" integer NOT NULL,
	"$pos" integer NOT NULL, "é" text);
INSERT INTO "Sch ""q"""."Root Tåble" VALUES (1, 'a''b', 1), (2, '"', 2);
INSERT INTO "Sch ""q"""."ch""ild" VALUES (1, 1, 2, 'één'), (2, 1, 1, 'twee'), (3, 2, 1, NULL);
SELECT jsonb_ivm_create_projection('"Sch ""q"""."Pro jé''ction"', $q$
	SELECT r."Id", jsonb_build_object('na''me', r."na'me", 'kéy "x"', r."x; DROP TABLE y",
		'ch"ildren', coalesce((SELECT jsonb_agg(jsonb_build_object('é', c."é") ORDER BY c."$pos", c."ID")
			FROM "Sch ""q"""."ch""ild" c WHERE c."Root Id" = r."Id"), '[]')) AS data
	FROM "Sch ""q"""."Root Tåble" r$q$);
SELECT * FROM "Sch ""q"""."Pro jé'ction" ORDER BY 1;
UPDATE "Sch ""q"""."ch""ild" SET "$pos" = 3 WHERE "ID" = 2;
UPDATE "Sch ""q"""."Root Tåble" SET "na'me" = 'c', "Id" = 3 WHERE "Id" = 2;
UPDATE "Sch ""q"""."ch""ild" SET "Root Id" = 3 WHERE "ID" = 3;
SELECT * FROM jsonb_ivm_check_projection('"Sch ""q"""."Pro jé''ction"');
SELECT * FROM "Sch ""q"""."Pro jé'ction" ORDER BY 1;
SELECT * FROM jsonb_ivm_explain_projection('"Sch ""q"""."Pro jé''ction"');

-- section: direct writes to a projection table are refused
-- fails: a direct INSERT
INSERT INTO "Sch ""q"""."Pro jé'ction" VALUES (9, '{}');
-- fails: a direct UPDATE
UPDATE "Sch ""q"""."Pro jé'ction" SET data = '{}';
-- fails: a direct DELETE
DELETE FROM "Sch ""q"""."Pro jé'ction";
-- fails: TRUNCATE
TRUNCATE "Sch ""q"""."Pro jé'ction";

-- section: sources cannot be dropped from under a projection
-- fails: a column it reads
ALTER TABLE "Sch ""q"""."ch""ild" DROP COLUMN "é";
-- fails: a table it reads
DROP TABLE "Sch ""q"""."ch""ild";
-- fails: the projection table itself, while its triggers call its functions
DROP TABLE "Sch ""q"""."Pro jé'ction";
ALTER TABLE "Sch ""q"""."Root Tåble" ADD COLUMN unused integer;
ALTER TABLE "Sch ""q"""."Root Tåble" DROP COLUMN unused;	-- a column it does not read
SELECT jsonb_ivm_drop_projection('"Sch ""q"""."Pro jé''ction"');
DROP SCHEMA "Sch ""q""" CASCADE;

-- section: an unprivileged role
CREATE ROLE regress_jsonb_ivm_user;
CREATE TABLE secret (id integer PRIMARY KEY, pin text, label text);
INSERT INTO secret VALUES (1, '1234', 'one');
CREATE SCHEMA regress_own AUTHORIZATION regress_jsonb_ivm_user;
CREATE SCHEMA regress_theirs;
GRANT USAGE ON SCHEMA regress_theirs TO regress_jsonb_ivm_user;
GRANT SELECT (id, label) ON secret TO regress_jsonb_ivm_user;
SET ROLE regress_jsonb_ivm_user;
-- fails: no SELECT on the column pin
SELECT jsonb_ivm_create_projection('regress_own.p', $$SELECT s.id, jsonb_build_object('pin', s.pin) AS data FROM public.secret s$$);
-- fails: SELECT on the columns read, but no TRIGGER on the table
SELECT jsonb_ivm_create_projection('regress_own.p', $$SELECT s.id, jsonb_build_object('label', s.label) AS data FROM public.secret s$$);
RESET ROLE;
GRANT TRIGGER ON secret TO regress_jsonb_ivm_user;
SET ROLE regress_jsonb_ivm_user;
-- fails: no CREATE on the schema
SELECT jsonb_ivm_create_projection('regress_theirs.p', $$SELECT s.id, jsonb_build_object('label', s.label) AS data FROM public.secret s$$);
SELECT jsonb_ivm_create_projection('regress_own.p', $$SELECT s.id, jsonb_build_object('label', s.label) AS data FROM public.secret s$$);
SELECT * FROM regress_own.p;
SELECT projection FROM jsonb_ivm_projections;
RESET ROLE;
-- the definitions of other roles' projections are not listed
CREATE ROLE regress_jsonb_ivm_other;
SET ROLE regress_jsonb_ivm_other;
SELECT projection FROM jsonb_ivm_projections;
RESET ROLE;
-- the role drops its projection, over a table it does not own
SET ROLE regress_jsonb_ivm_user;
SELECT jsonb_ivm_drop_projection('regress_own.p');
RESET ROLE;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'secret'::regclass;
-- a source's owner drops it with CASCADE while another role's projection
-- reads it: the projection would go too, which is its owner's to drop
GRANT SELECT (id, label), TRIGGER ON secret TO regress_jsonb_ivm_user;
ALTER TABLE secret OWNER TO regress_jsonb_ivm_other;
SET ROLE regress_jsonb_ivm_user;
SELECT jsonb_ivm_create_projection('regress_own.p', $$SELECT s.id, jsonb_build_object('label', s.label) AS data FROM public.secret s$$);
SET ROLE regress_jsonb_ivm_other;
-- fails: the projection belongs to regress_jsonb_ivm_user
DROP TABLE secret CASCADE;
SET ROLE regress_jsonb_ivm_user;
SELECT * FROM regress_own.p;
SELECT jsonb_ivm_drop_projection('regress_own.p');
SET ROLE regress_jsonb_ivm_other;
DROP TABLE secret;
RESET ROLE;
DROP SCHEMA regress_own, regress_theirs;
DROP ROLE regress_jsonb_ivm_user, regress_jsonb_ivm_other;
