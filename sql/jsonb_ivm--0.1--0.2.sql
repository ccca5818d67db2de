/* jsonb_ivm--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION jsonb_ivm UPDATE TO '0.2'" to load this file. \quit

-- As in 0.1, no function is STRICT: a NULL target gives NULL, a NULL path
-- or key is an error, and a NULL value argument returns the target
-- unchanged instead of wiping it.

CREATE FUNCTION jsonb_array_delete_where(target jsonb, array_path text[],
	match_key text, match_value jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_delete_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_delete_where(jsonb, text[], text, jsonb) IS
'remove every object of the array at array_path whose match_key equals match_value';

-- sort_key NULL means append; a NULL descending is an error.
CREATE FUNCTION jsonb_array_insert_where(target jsonb, array_path text[],
	element jsonb, sort_key text DEFAULT NULL, descending boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_insert_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_insert_where(jsonb, text[], jsonb, text, boolean) IS
'insert element into the array at array_path keeping it ordered by sort_key, or append it';

CREATE FUNCTION jsonb_array_update_where_batch(target jsonb, array_path text[],
	match_key text, patches jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_update_where_batch'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_update_where_batch(jsonb, text[], text, jsonb) IS
'shallow-merge each patch into every object of the array at array_path whose match_key equals the patch''s';

CREATE FUNCTION jsonb_deep_merge(target jsonb, source jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_deep_merge'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_deep_merge(jsonb, jsonb) IS
'merge source into target, objects recursively; anything else in source replaces';

CREATE FUNCTION jsonb_merge_patch(target jsonb, patch jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_merge_patch'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_merge_patch(jsonb, jsonb) IS
'apply an RFC 7386 JSON Merge Patch: objects merge, a null removes the key';
