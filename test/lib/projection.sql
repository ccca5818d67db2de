-- Helpers of the projection tests: every projection compared with its
-- query, both ways and as text; no row means all are equal.
CREATE FUNCTION all_checks() RETURNS TABLE (projection text, key text, problem text)
LANGUAGE sql AS $$
	SELECT p.projection, c.key, c.problem
	FROM jsonb_ivm_projections p, jsonb_ivm_check_projection(p.projection) c
	ORDER BY 1, 2
$$;

-- How many times the recompute function of a projection ran in this
-- transaction (with track_functions = 'pl').
CREATE FUNCTION recomputes(projection text) RETURNS bigint
LANGUAGE sql AS $$
	SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions
	WHERE funcname = projection || '_ivm_recompute'
$$;
