-- Cascaded foreign-key actions that change one row twice in one
-- statement: each transition table then holds two versions of the row.
-- Found by the random projection net (test/t/080_projection_net.pl).
SET client_min_messages = warning;

-- section: two foreign keys to one table, both ON DELETE SET NULL
CREATE TABLE casc_a (id int PRIMARY KEY, x text);
CREATE TABLE casc_o (id int PRIMARY KEY,
	sa int REFERENCES casc_a ON DELETE SET NULL,
	ba int REFERENCES casc_a ON DELETE SET NULL);
INSERT INTO casc_a VALUES (1, 'one'), (2, 'two');
INSERT INTO casc_o VALUES (10, 1, 1), (11, 2, 1);
SELECT jsonb_ivm_create_projection('casc_doc', $$
	SELECT o.id, jsonb_build_object('sa', sa.x, 'ba', ba.x) AS data
	FROM casc_o o
	LEFT JOIN casc_a sa ON sa.id = o.sa
	LEFT JOIN casc_a ba ON ba.id = o.ba $$);
-- row 10 is set NULL twice, row 11 once
DELETE FROM casc_a WHERE id = 1;
SELECT id, data, sa, ba FROM casc_doc ORDER BY id;
SELECT * FROM jsonb_ivm_check_projection('casc_doc');
-- a row that took the deleted one's key is not linked
INSERT INTO casc_a VALUES (1, 'x');
UPDATE casc_a SET x = 'patched';
SELECT id, data FROM casc_doc ORDER BY id;
SELECT * FROM jsonb_ivm_check_projection('casc_doc');

-- section: a key change that cascades to the row's reference to itself
CREATE TABLE casc_node (id int PRIMARY KEY,
	parent_id int REFERENCES casc_node ON UPDATE CASCADE, name text);
INSERT INTO casc_node VALUES (1400, NULL, 'a'), (1, 1400, 'b');
SELECT jsonb_ivm_create_projection('casc_node_doc', $$
	SELECT n.id, jsonb_build_object('id', n.id, 'name', n.name) AS data
	FROM casc_node n $$);
UPDATE casc_node SET parent_id = 1400, id = 2200 WHERE id = 1400;
SELECT id, parent_id FROM casc_node ORDER BY id;
SELECT id, data FROM casc_node_doc ORDER BY id;
SELECT * FROM jsonb_ivm_check_projection('casc_node_doc');

SELECT jsonb_ivm_drop_projection('casc_node_doc');
SELECT jsonb_ivm_drop_projection('casc_doc');
DROP TABLE casc_node, casc_o, casc_a;
