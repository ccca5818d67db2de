/* jsonb_ivm.sql: the current version; the build copies it to jsonb_ivm--<version>.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION jsonb_ivm" to load this file. \quit

-- None of these functions is STRICT: a NULL target gives NULL, a NULL path
-- or key is an error, and a NULL value argument (match_value, updates,
-- source, element) returns the target unchanged instead of wiping it.

CREATE FUNCTION jsonb_array_update_where(target jsonb, array_path text[],
	match_key text, match_value jsonb, updates jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_update_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_update_where(jsonb, text[], text, jsonb, jsonb) IS
'shallow-merge updates into the first object of the array at array_path whose match_key equals match_value';

CREATE FUNCTION jsonb_merge_at_path(target jsonb, source jsonb, path text[])
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_merge_at_path'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_merge_at_path(jsonb, jsonb, text[]) IS
'shallow-merge the object source into the object at path, creating missing keys';

CREATE FUNCTION jsonb_has_path_changed(old jsonb, new jsonb, path text[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'jsonb_has_path_changed'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_has_path_changed(jsonb, jsonb, text[]) IS
'whether the values at path differ between two documents, by jsonb equality';

CREATE FUNCTION jsonb_array_upsert_where(target jsonb, array_path text[],
	match_key text, match_value jsonb, element jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'jsonb_array_upsert_where'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION jsonb_array_upsert_where(jsonb, text[], text, jsonb, jsonb) IS
'replace the first object of the array at array_path whose match_key equals match_value by element, or append element';

-- Since 0.2.
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
