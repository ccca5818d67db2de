/*-------------------------------------------------------------------------
 *
 * array_ops.c
 *	  SQL-callable functions that patch one element of an array of objects
 *	  found by key: jsonb_array_update_where and jsonb_array_upsert_where.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "jsonb_ivm.h"

/*
 * The array at the end of a walk along path, or NULL when nothing is there.
 * A value that is there but is not an array is an error.
 */
static const JsonbContainer *
array_at_path(const Jsonb *doc, const JbPath *path, JbWalk *walk)
{
	jb_walk(doc, path, true, walk);
	if (walk->status != JB_WALK_FOUND)
		return NULL;
	if (!JbValueIsArray(&walk->value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value at path is not an array"),
				 errdetail("The value at the path is of type %s.",
						   jb_type_name(&walk->value))));
	return JbValueContainer(&walk->value);
}

static void
write_merged(JbWriter *w, void *arg)
{
	jbw_merged_object(w, (JbMergePlan *) arg);
}

static void
write_value(JbWriter *w, void *arg)
{
	jbw_value(w, (JbValue *) arg);
}

static void
write_one_element_array(JbWriter *w, void *arg)
{
	jbw_open(w, JB_FARRAY, 1);
	jbw_value(w, (JbValue *) arg);
	jbw_close(w);
}

/*
 * jsonb_array_update_where(target, array_path, match_key, match_value,
 * updates): shallow-merge updates into the first object of the array at
 * array_path whose match_key equals match_value.
 */
PG_FUNCTION_INFO_V1(jsonb_array_update_where);
Datum
jsonb_array_update_where(PG_FUNCTION_ARGS)
{
	JbPath		path;
	Jsonb	   *doc;
	Jsonb	   *updates;
	text	   *key;
	JbValue		match;
	JbWalk		walk;
	const JsonbContainer *arr;
	JbValue		elem;
	JbMergePlan plan;
	int			index;
	Jsonb	   *result;

	jb_require_arg(fcinfo, 1, "array_path");
	jb_require_arg(fcinfo, 2, "match_key");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(1), &path);
	updates = PG_GETARG_JSONB_P(4);
	jb_require_object(updates, "updates");
	key = PG_GETARG_TEXT_PP(2);
	jb_root_value(PG_GETARG_JSONB_P(3), &match);

	doc = PG_GETARG_JSONB_P(0);
	arr = array_at_path(doc, &path, &walk);
	if (arr == NULL)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	index = jb_array_find(arr, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
						  &match);
	if (index < 0)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	jb_child(arr, index, &elem);
	jb_merge_plan(JbValueContainer(&elem), &updates->root, &plan);
	if (!plan.changed)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	walk.steps[walk.depth].container = arr;
	walk.steps[walk.depth].index = index;
	walk.steps[walk.depth].insert = false;
	result = jb_rewrite(doc, walk.steps, walk.depth + 1, NULL, 0,
						write_merged, &plan, VARSIZE(updates));
	PG_FREE_IF_COPY(doc, 0);
	PG_RETURN_JSONB_P(result);
}

/*
 * jsonb_array_upsert_where(target, array_path, match_key, match_value,
 * element): replace the first object of the array at array_path whose
 * match_key equals match_value by element, or append element.  A missing
 * array is created, with the objects that lead to it.
 */
PG_FUNCTION_INFO_V1(jsonb_array_upsert_where);
Datum
jsonb_array_upsert_where(PG_FUNCTION_ARGS)
{
	JbPath		path;
	Jsonb	   *doc;
	Jsonb	   *element;
	text	   *key;
	JbValue		match;
	JbValue		newelem;
	JbWalk		walk;
	const JsonbContainer *arr;
	Jsonb	   *result;

	jb_require_arg(fcinfo, 1, "array_path");
	jb_require_arg(fcinfo, 2, "match_key");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(1), &path);
	element = PG_GETARG_JSONB_P(4);
	jb_require_object(element, "element");
	jb_root_value(element, &newelem);
	key = PG_GETARG_TEXT_PP(2);
	jb_root_value(PG_GETARG_JSONB_P(3), &match);

	doc = PG_GETARG_JSONB_P(0);
	arr = array_at_path(doc, &path, &walk);
	if (arr != NULL)
	{
		JbStep	   *step = &walk.steps[walk.depth];
		int			index = jb_array_find(arr, VARDATA_ANY(key),
										  VARSIZE_ANY_EXHDR(key), &match);

		step->container = arr;
		step->insert = (index < 0);
		if (index >= 0)
		{
			JbValue		old;

			jb_child(arr, index, &old);
			if (jb_values_identical(&old, &newelem))
				PG_RETURN_DATUM(PG_GETARG_DATUM(0));
			step->index = index;
		}
		else
			step->index = arr->header & JB_CMASK;
		result = jb_rewrite(doc, walk.steps, walk.depth + 1, NULL, 0,
							write_value, &newelem, newelem.len);
	}
	else
	{
		/* the array is missing: create it, and the objects leading to it */
		jb_walk_require(&walk);
		result = jb_rewrite(doc, walk.steps, walk.depth, &path, walk.stop + 1,
							write_one_element_array, &newelem, newelem.len);
	}
	PG_FREE_IF_COPY(doc, 0);
	PG_RETURN_JSONB_P(result);
}
