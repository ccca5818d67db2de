/*-------------------------------------------------------------------------
 *
 * compare_ops.c
 *	  SQL-callable functions that compare documents without copying or
 *	  rebuilding them: jsonb_has_path_changed, jsonb_ivm_identical.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "jsonb_ivm.h"

/*
 * Whether two datums are stored identically, so that they hold the same
 * value.  Only worth asking for compressed or out-of-line values: for
 * those it saves decompressing or fetching both.  A trigger's OLD and NEW
 * share the TOAST pointer of a column the UPDATE did not touch.
 */
static bool
same_stored_value(Datum a, Datum b)
{
	struct varlena *va = (struct varlena *) DatumGetPointer(a);
	struct varlena *vb = (struct varlena *) DatumGetPointer(b);
	Size		size;

	if (va == vb)
		return true;
	if (!(VARATT_IS_EXTERNAL(va) || VARATT_IS_COMPRESSED(va)))
		return false;
	size = VARSIZE_ANY(va);
	return size == VARSIZE_ANY(vb) && memcmp(va, vb, size) == 0;
}

/*
 * jsonb_has_path_changed(old, new, path): whether old #> path and
 * new #> path differ under jsonb equality (absent on both sides: no).
 */
PG_FUNCTION_INFO_V1(jsonb_has_path_changed);
Datum
jsonb_has_path_changed(PG_FUNCTION_ARGS)
{
	JbPath		path;
	JbWalk		wold;
	JbWalk		wnew;
	bool		found_old;
	bool		found_new;

	jb_require_arg(fcinfo, 2, "path");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(PG_ARGISNULL(0) != PG_ARGISNULL(1));
	if (same_stored_value(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)))
		PG_RETURN_BOOL(false);

	jb_path_for_read(PG_GETARG_ARRAYTYPE_P(2), &path);
	jb_walk(PG_GETARG_JSONB_P(0), &path, false, &wold);
	jb_walk(PG_GETARG_JSONB_P(1), &path, false, &wnew);
	found_old = (wold.status == JB_WALK_FOUND);
	found_new = (wnew.status == JB_WALK_FOUND);
	if (!found_old || !found_new)
		PG_RETURN_BOOL(found_old != found_new);
	PG_RETURN_BOOL(!jb_values_equal(&wold.value, &wnew.value));
}

/*
 * jsonb_ivm_identical(a jsonb, b jsonb): whether two documents are stored
 * with the same bytes, hence print identically.  Jsonb equality is weaker
 * (1.0 = 1.00); a projection must keep the query's exact text.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_identical);
Datum
jsonb_ivm_identical(PG_FUNCTION_ARGS)
{
	Jsonb	   *a;
	Jsonb	   *b;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(PG_ARGISNULL(0) && PG_ARGISNULL(1));
	a = PG_GETARG_JSONB_P(0);
	b = PG_GETARG_JSONB_P(1);
	PG_RETURN_BOOL(VARSIZE(a) == VARSIZE(b) &&
				   memcmp(a, b, VARSIZE(a)) == 0);
}
