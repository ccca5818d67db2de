-- Arrays placed by position whatever their ORDER BY: several sort keys in
-- mixed directions, nullable sort keys with NULLS FIRST or LAST, a type
-- whose default order comes from an operator class outside pg_catalog,
-- and, through a link table, sort keys and filters on the joined table.
-- Elements are inserted, removed and moved (explain says
-- so), and after each statement every projection equals its query.
SET client_min_messages = warning;

-- an enum whose default btree order is the reverse of its declaration,
-- with operators in schema rev
CREATE SCHEMA rev;
CREATE TYPE rev.level AS ENUM ('low', 'mid', 'high');
CREATE FUNCTION rev.lt(rev.level, rev.level) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS 'SELECT pg_catalog.enum_gt($1, $2)';
CREATE FUNCTION rev.le(rev.level, rev.level) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS 'SELECT pg_catalog.enum_ge($1, $2)';
CREATE FUNCTION rev.gt(rev.level, rev.level) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS 'SELECT pg_catalog.enum_lt($1, $2)';
CREATE FUNCTION rev.ge(rev.level, rev.level) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS 'SELECT pg_catalog.enum_le($1, $2)';
CREATE FUNCTION rev.eq(rev.level, rev.level) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS 'SELECT pg_catalog.enum_eq($1, $2)';
CREATE FUNCTION rev.cmp(rev.level, rev.level) RETURNS integer
	LANGUAGE sql IMMUTABLE AS 'SELECT pg_catalog.enum_cmp($2, $1)';
CREATE OPERATOR rev.< (FUNCTION = rev.lt, LEFTARG = rev.level, RIGHTARG = rev.level);
CREATE OPERATOR rev.<= (FUNCTION = rev.le, LEFTARG = rev.level, RIGHTARG = rev.level);
CREATE OPERATOR rev.> (FUNCTION = rev.gt, LEFTARG = rev.level, RIGHTARG = rev.level);
CREATE OPERATOR rev.= (FUNCTION = rev.eq, LEFTARG = rev.level, RIGHTARG = rev.level);
CREATE OPERATOR rev.>= (FUNCTION = rev.ge, LEFTARG = rev.level, RIGHTARG = rev.level);
CREATE OPERATOR CLASS rev.level_ops DEFAULT FOR TYPE rev.level USING btree AS
	OPERATOR 1 rev.<, OPERATOR 2 rev.<=, OPERATOR 3 rev.=,
	OPERATOR 4 rev.>=, OPERATOR 5 rev.>, FUNCTION 1 rev.cmp(rev.level, rev.level);

CREATE TABLE team (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE badge (id integer PRIMARY KEY, label text NOT NULL);
CREATE TABLE member (
	id integer PRIMARY KEY,
	team_id integer REFERENCES team ON UPDATE CASCADE,
	badge_id integer REFERENCES badge,
	name text NOT NULL,
	joined date NOT NULL,
	rank integer,
	level rev.level NOT NULL,
	active boolean NOT NULL DEFAULT true
);
CREATE TABLE skill (
	id integer PRIMARY KEY,
	member_id integer NOT NULL REFERENCES member ON DELETE CASCADE,
	name text NOT NULL
);
INSERT INTO team VALUES (1, 'core'), (2, 'docs'), (3, 'empty');
INSERT INTO badge VALUES (1, 'gold'), (2, 'silver');
INSERT INTO member VALUES
	(1, 1, 1, 'Ann', '2024-01-05', 2, 'mid', true), (2, 1, NULL, 'Ben', '2024-01-05', NULL, 'high', true),
	(3, 1, 2, 'Cid', '2023-06-01', 1, 'low', true), (4, 1, 1, 'Dot', '2024-02-01', NULL, 'mid', true),
	(5, 2, 2, 'Eli', '2022-12-31', 3, 'high', true), (6, 2, NULL, 'Fay', '2024-01-05', 2, 'low', false),
	(7, NULL, 1, 'Gus', '2020-01-01', 1, 'mid', true);
INSERT INTO skill VALUES (1, 1, 'sql'), (2, 1, 'c'), (3, 3, 'perl'), (4, 5, 'sql');

\set ECHO none
\i test/lib/projection.sql
\set ECHO all

SELECT jsonb_ivm_create_projection('team_doc', $q$
	SELECT t.id, jsonb_build_object('name', t.name,
		'newest', coalesce((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'name', m.name,
					'badge', (SELECT b.label FROM badge b WHERE b.id = m.badge_id),
					'skills', coalesce((SELECT jsonb_agg(k.name ORDER BY k.name, k.id)
						FROM skill k WHERE k.member_id = m.id), '[]'))
				ORDER BY m.joined DESC, m.id)
			FROM member m WHERE m.team_id = t.id), '[]'),
		'ranked', (SELECT jsonb_agg(jsonb_build_object('id', m.id, 'rank', m.rank)
				ORDER BY m.rank NULLS FIRST, m.id DESC)
			FROM member m WHERE m.team_id = t.id),
		'best', coalesce((SELECT jsonb_agg(m.name ORDER BY m.rank DESC NULLS LAST, m.id)
			FROM member m WHERE m.team_id = t.id AND m.active), '[]'),
		'levels', coalesce((SELECT jsonb_agg(jsonb_build_object('name', m.name, 'level', m.level)
				ORDER BY m.level, m.id)
			FROM member m WHERE m.team_id = t.id), '[]')) AS data
	FROM team t$q$);
SELECT * FROM jsonb_ivm_explain_projection('team_doc')
WHERE source IN ('public.member', 'public.skill', 'public.badge');
SELECT * FROM all_checks();
SELECT id, data FROM team_doc ORDER BY id;

-- every change below is spliced, arrays that become empty or leave it
-- included, and the recompute function is called once (counted in this
-- transaction): deleting Ben (2) deletes his skill by ON DELETE CASCADE
-- before his element is looked up, so it is not found as stored
SET track_functions = 'pl';
BEGIN;
-- insert at every kind of position: first, last, among NULLs, ties on the
-- first key broken by the second
INSERT INTO member VALUES (8, 1, 2, 'Hal', '2024-01-05', NULL, 'low', true),
	(9, 1, NULL, 'Ivy', '2025-01-01', 0, 'high', true), (10, 3, 1, 'Jo', '2019-01-01', NULL, 'mid', true);
SELECT * FROM all_checks();
-- the nested array and the parent inside an element: the element is
-- rebuilt at its position
INSERT INTO skill VALUES (5, 8, 'go'), (6, 8, 'ada'), (7, 2, 'sql');
SELECT * FROM all_checks();
UPDATE skill SET name = 'zig' WHERE id IN (1, 6);
SELECT * FROM all_checks();
UPDATE skill SET member_id = 4 WHERE member_id = 1;
SELECT * FROM all_checks();
DELETE FROM skill WHERE id = 3;
SELECT * FROM all_checks();
UPDATE badge SET label = 'platinum' WHERE id = 1;
SELECT * FROM all_checks();
UPDATE member SET badge_id = 2 WHERE id = 2;
SELECT * FROM all_checks();
-- moves: a sort key to and from NULL, the first key into a tie, the enum
UPDATE member SET rank = NULL WHERE id = 3;
SELECT * FROM all_checks();
UPDATE member SET rank = 5 WHERE id = 2;
SELECT * FROM all_checks();
UPDATE member SET joined = '2024-01-05' WHERE id = 4;
SELECT * FROM all_checks();
UPDATE member SET level = 'high' WHERE id IN (1, 3);
SELECT * FROM all_checks();
-- the filter of one array only, and a move between teams
UPDATE member SET active = NOT active WHERE id IN (5, 6);
SELECT * FROM all_checks();
UPDATE member SET team_id = 2, rank = NULL WHERE id = 1;
SELECT * FROM all_checks();
UPDATE member SET team_id = 1 WHERE id = 7;
SELECT * FROM all_checks();
-- a bulk statement that reorders a whole group
UPDATE member SET rank = coalesce(10 - rank, 7), joined = joined - id WHERE team_id = 1;
SELECT * FROM all_checks();
DELETE FROM member WHERE id IN (2, 9);
SELECT * FROM all_checks();
SELECT id, data FROM team_doc ORDER BY id;
DELETE FROM member WHERE team_id = 3;
SELECT * FROM all_checks();
SELECT id, data FROM team_doc WHERE id = 3;
SELECT recomputes('team_doc');
COMMIT;
-- a key change of the root: the document is rebuilt under its new key,
-- and the cascaded UPDATE of its members must not insert them again
UPDATE team SET id = 4 WHERE id = 1;
SELECT * FROM all_checks();
UPDATE team SET id = 1 WHERE id = 4;
SELECT * FROM all_checks();

SELECT jsonb_ivm_drop_projection('team_doc');
DROP TABLE skill, member, badge, team;

-- many-to-many: the link's position and the joined table's columns as sort
-- keys (one nullable), a filter on both tables; a second array ordered by
-- the joined table alone (a row comparison)
CREATE TABLE post (id integer PRIMARY KEY, title text NOT NULL);
CREATE TABLE label (
	id integer PRIMARY KEY,
	name text NOT NULL,
	prio integer,
	color text,
	hidden boolean NOT NULL DEFAULT false
);
CREATE TABLE post_label (
	post_id integer REFERENCES post ON DELETE CASCADE,
	label_id integer REFERENCES label ON DELETE CASCADE ON UPDATE CASCADE,
	pos integer NOT NULL,
	PRIMARY KEY (post_id, label_id)
);
INSERT INTO post VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO label VALUES (1, 'red', 2, 'f00', false), (2, 'blue', NULL, '00f', false),
	(3, 'green', 1, '0f0', false), (4, 'gray', NULL, '888', true), (5, 'blue', 1, '00e', false);
INSERT INTO post_label VALUES (1, 1, 0), (1, 2, 0), (1, 4, 1), (2, 3, 2), (2, 5, 0), (3, 2, -1);
SELECT jsonb_ivm_create_projection('post_doc', $q$
	SELECT p.id, jsonb_build_object('title', p.title,
		'labels', coalesce((SELECT jsonb_agg(jsonb_build_object('name', l.name, 'color', l.color)
					|| jsonb_build_object('pos', pl.pos)
				ORDER BY pl.pos DESC, l.prio NULLS FIRST, l.name, l.id)
			FROM post_label pl JOIN label l ON l.id = pl.label_id
			WHERE pl.post_id = p.id AND NOT l.hidden AND pl.pos >= 0), '[]'),
		'by_name', (SELECT jsonb_agg(l.id ORDER BY l.name, l.id)
			FROM post_label pl JOIN label l ON l.id = pl.label_id
			WHERE pl.post_id = p.id)) AS data
	FROM post p$q$);
SELECT * FROM jsonb_ivm_explain_projection('post_doc')
WHERE source IN ('public.post_label', 'public.label') AND change <> 'TRUNCATE';
SELECT * FROM all_checks();
SELECT id, data FROM post_doc ORDER BY id;

-- links made, moved and removed, and a label's column read by the element
-- only: all spliced, none recomputed
BEGIN;
INSERT INTO post_label VALUES (3, 1, 0), (3, 3, 0), (3, 5, 5), (2, 2, 0), (2, 4, 0);
SELECT * FROM all_checks();
UPDATE post_label SET pos = pos + 1 WHERE post_id = 3;
SELECT * FROM all_checks();
UPDATE post_label SET pos = -1 WHERE post_id = 2 AND label_id = 3;
SELECT * FROM all_checks();
UPDATE post_label SET label_id = 3 WHERE post_id = 1 AND label_id = 1;
SELECT * FROM all_checks();
UPDATE label SET color = NULL WHERE id IN (2, 4);
SELECT * FROM all_checks();
DELETE FROM post_label WHERE label_id = 2;
SELECT * FROM all_checks();
INSERT INTO post_label SELECT p, 2, p FROM generate_series(1, 3) p;
SELECT * FROM all_checks();
SELECT id, data FROM post_doc ORDER BY id;
SELECT recomputes('post_doc');
COMMIT;
-- a label's sort key or filter column: its elements move, in every post
-- that links it; its key: recomputed
BEGIN;
UPDATE label SET name = 'amber' WHERE id = 5;
SELECT * FROM all_checks();
UPDATE label SET hidden = NOT hidden WHERE id IN (3, 4);
SELECT * FROM all_checks();
UPDATE label SET prio = NULL, name = 'zz', color = 'fff' WHERE id = 3;
SELECT * FROM all_checks();
UPDATE label SET prio = 6 - id, name = upper(name);
SELECT * FROM all_checks();
SELECT id, data FROM post_doc ORDER BY id;
SELECT recomputes('post_doc');
COMMIT;
UPDATE label SET id = 6 WHERE id = 1;
SELECT * FROM all_checks();
DELETE FROM label WHERE id = 2;
SELECT * FROM all_checks();
SELECT id, data FROM post_doc ORDER BY id;
SELECT jsonb_ivm_drop_projection('post_doc');
DROP TABLE post_label, label, post;

-- a chain of three tables: shelf items, their books (filtered, a sort
-- key), the books' authors (a sort key)
CREATE TABLE shelf (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (
	id integer PRIMARY KEY,
	author_id integer NOT NULL REFERENCES author,
	title text NOT NULL,
	hidden boolean NOT NULL DEFAULT false
);
CREATE TABLE shelf_item (
	shelf_id integer REFERENCES shelf,
	book_id integer REFERENCES book,
	PRIMARY KEY (shelf_id, book_id)
);
INSERT INTO shelf VALUES (1, 'a'), (2, 'b');
INSERT INTO author VALUES (1, 'Le Guin'), (2, 'Borges'), (3, 'Calvino');
INSERT INTO book VALUES (1, 1, 'Lathe', false), (2, 2, 'Ficciones', false),
	(3, 3, 'Cities', false), (4, 1, 'Earthsea', false), (5, 2, 'Aleph', true);
INSERT INTO shelf_item VALUES (1, 1), (1, 2), (1, 4), (1, 5), (2, 3), (2, 4);
SELECT jsonb_ivm_create_projection('shelf_doc', $q$
	SELECT s.id, jsonb_build_object('name', s.name,
		'books', coalesce((SELECT jsonb_agg(jsonb_build_object('title', b.title, 'author', a.name)
				ORDER BY a.name, b.title, b.id)
			FROM shelf_item si JOIN book b ON b.id = si.book_id JOIN author a ON a.id = b.author_id
			WHERE si.shelf_id = s.id AND NOT b.hidden), '[]')) AS data
	FROM shelf s$q$);
SELECT * FROM jsonb_ivm_explain_projection('shelf_doc')
WHERE change = 'UPDATE';
BEGIN;
UPDATE book SET title = 'A Wizard of ' || title WHERE id = 4;
SELECT * FROM all_checks();
UPDATE book SET hidden = NOT hidden WHERE id IN (1, 5);
SELECT * FROM all_checks();
UPDATE author SET name = 'Zamyatin' WHERE id = 2;
SELECT * FROM all_checks();
UPDATE book SET title = upper(title);
SELECT * FROM all_checks();
INSERT INTO shelf_item VALUES (2, 1), (2, 5);
SELECT * FROM all_checks();
SELECT id, data FROM shelf_doc ORDER BY id;
SELECT recomputes('shelf_doc');
COMMIT;
-- a book's author changes: the link down the chain, recomputed
UPDATE book SET author_id = 3 WHERE id = 4;
SELECT * FROM all_checks();
SELECT id, data FROM shelf_doc ORDER BY id;
-- random changes of every table of the chain, several rows at a time:
-- the number of statements after which the projection differs
CREATE FUNCTION shelf_random(statements integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	differing integer := 0;
	b integer;
BEGIN
	PERFORM setseed(0.42);
	FOR i IN 1..statements LOOP
		b := 1 + (random() * 4)::integer;
		CASE (random() * 7)::integer
			WHEN 0 THEN UPDATE book SET title = chr(65 + (random() * 25)::integer) || id WHERE id = b;
			WHEN 1 THEN UPDATE book SET hidden = NOT hidden WHERE id IN (b, 6 - b);
			WHEN 2 THEN UPDATE book SET author_id = 1 + (random() * 2)::integer WHERE id = b;
			WHEN 3 THEN UPDATE author SET name = chr(65 + (random() * 25)::integer) || 'x'
				WHERE id = 1 + (random() * 2)::integer;
			WHEN 4 THEN INSERT INTO shelf_item VALUES (1 + (random())::integer, b) ON CONFLICT DO NOTHING;
			WHEN 5 THEN DELETE FROM shelf_item WHERE shelf_id = 1 + (random())::integer AND book_id = b;
			WHEN 6 THEN UPDATE book SET title = title || '.', hidden = random() < 0.5
				WHERE id % 2 = (random())::integer;
			ELSE UPDATE author SET name = name || '!' WHERE id <> b % 3 + 1;
		END CASE;
		IF EXISTS (SELECT FROM all_checks()) THEN
			differing := differing + 1;
		END IF;
	END LOOP;
	RETURN differing;
END
$$;
SELECT shelf_random(300) AS differing;
SELECT jsonb_ivm_drop_projection('shelf_doc');
DROP FUNCTION shelf_random(integer);
DROP TABLE shelf_item, book, author, shelf;
DROP SCHEMA rev CASCADE;
DROP FUNCTION all_checks(), recomputes(text);
