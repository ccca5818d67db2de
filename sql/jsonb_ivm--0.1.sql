/* jsonb_ivm--0.1.sql */

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
