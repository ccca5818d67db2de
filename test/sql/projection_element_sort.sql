-- An element that is its own sort key, read from a joined table
-- (jsonb_agg(g.name ORDER BY g.name, it.tag_id)): a change of the key
-- moves the element.  The parser keeps such a sort key as the element's
-- own argument, not as one of the aggregate's.
SET client_min_messages = warning;
CREATE TABLE es_item (id int PRIMARY KEY);
CREATE TABLE es_tag (id int PRIMARY KEY, name text);
CREATE TABLE es_item_tag (item_id int REFERENCES es_item,
	tag_id int REFERENCES es_tag, PRIMARY KEY (item_id, tag_id));
INSERT INTO es_item VALUES (1), (2);
INSERT INTO es_tag VALUES (1, 'a'), (2, 'b'), (3, 'd');
INSERT INTO es_item_tag VALUES (1, 1), (1, 2), (1, 3), (2, 1), (2, 3);
SELECT jsonb_ivm_create_projection('es_doc', $$
	SELECT i.id, jsonb_build_object('tags', coalesce((
		SELECT jsonb_agg(g.name ORDER BY g.name, it.tag_id)
		FROM es_item_tag it JOIN es_tag g ON g.id = it.tag_id
		WHERE it.item_id = i.id), '[]'),
		'down', coalesce((
		SELECT jsonb_agg(g.name ORDER BY g.name DESC, it.tag_id)
		FROM es_item_tag it JOIN es_tag g ON g.id = it.tag_id
		WHERE it.item_id = i.id), '[]')) AS data
	FROM es_item i $$);
SELECT * FROM jsonb_ivm_explain_projection('es_doc') WHERE source = 'public.es_tag';
UPDATE es_tag SET name = 'c' WHERE id = 1;
SELECT id, data FROM es_doc ORDER BY id;
SELECT * FROM jsonb_ivm_check_projection('es_doc');
UPDATE es_tag SET name = CASE id WHEN 2 THEN 'e' WHEN 3 THEN 'a' ELSE name END;
SELECT id, data FROM es_doc ORDER BY id;
SELECT * FROM jsonb_ivm_check_projection('es_doc');
SELECT jsonb_ivm_drop_projection('es_doc');
DROP TABLE es_item_tag, es_tag, es_item;
