-- A blog as generated projections (fixtures/blog.sql): articles and tags
-- many-to-many through a link table, soft deletes on both sides, a filter
-- on the children, an author by LEFT JOIN and an array without COALESCE.
-- A seeded random workload of every change kind on every base table
-- (test/lib/projection_workload.sql) runs in transactions of one to three
-- statements; after each, jsonb_ivm_check_projection must be empty for
-- both projections.  At the end each projection equals its query (the
-- views v_article and v_tag), byte for byte, in both directions.
SET jit = off;
\set ECHO none
\i test/lib/helpers.sql
\i test/lib/projection_workload.sql
\i fixtures/blog.sql
\set ECHO all
SELECT generate_blog_data(120);

-- section: equal after creation
SELECT (SELECT count(*) FROM tv_article) AS articles, (SELECT count(*) FROM tv_tag) AS tags,
	(SELECT count(*) FROM tv_article WHERE data->'comments' = 'null') AS without_comments,
	(SELECT count(*) FROM tv_article WHERE data->'tags' = '[]') AS without_tags;
SELECT * FROM jsonb_ivm_check_projection('tv_article');
SELECT * FROM jsonb_ivm_check_projection('tv_tag');

-- section: random workload, checked after every transaction
CALL ivm_test.run_workload('blog', 3, 800, ARRAY['tv_article', 'tv_tag']);
SELECT * FROM ivm_test.workload_summary ORDER BY kind;
SELECT * FROM ivm_test.workload_problems;
SELECT transaction, projection, problem FROM ivm_test.workload_problem
ORDER BY transaction, projection, problem LIMIT 10;

-- section: byte-exact comparison with the queries, both ways
SELECT (SELECT count(*) FROM tv_article) AS articles, (SELECT count(*) FROM tv_tag) AS tags,
	(SELECT count(*) FROM tv_article WHERE data->'comments' = 'null') AS without_comments,
	(SELECT count(*) FROM tv_article WHERE data->'tags' = '[]') AS without_tags,
	(SELECT count(*) FROM tv_article WHERE author_id IS NULL) AS without_author,
	(SELECT count(*) FROM tv_article WHERE pg_column_size(data) > 2000) AS toasted;
SELECT * FROM ivm_test.projection_differences('tv_article', 'v_article', 'id, author_id');
SELECT * FROM ivm_test.projection_differences('tv_tag', 'v_tag');

SET client_min_messages = warning;
SELECT jsonb_ivm_drop_projection('tv_article');
SELECT jsonb_ivm_drop_projection('tv_tag');
DROP SCHEMA ivm_test CASCADE;
DROP VIEW v_article, v_tag;
DROP TABLE blog_comments, blog_article_tags, blog_tags, blog_articles, blog_authors;
DROP FUNCTION generate_blog_data(integer), blog_projection_query(text);
