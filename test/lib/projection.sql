-- Helpers of the projection tests: every projection compared with its
-- query, both ways and as text; no row means all are equal.
CREATE FUNCTION all_checks() RETURNS TABLE (projection text, key text, problem text)
LANGUAGE sql AS $$
	SELECT p.projection, c.key, c.problem
	FROM jsonb_ivm_projections p, jsonb_ivm_check_projection(p.projection) c
	ORDER BY 1, 2
$$;
