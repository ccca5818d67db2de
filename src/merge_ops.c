/*-------------------------------------------------------------------------
 *
 * merge_ops.c
 *	  SQL-callable functions that merge objects into a document:
 *	  jsonb_merge_at_path.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "jsonb_ivm.h"

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

/*
 * jsonb_merge_at_path(target, source, path): the object at path becomes
 * object || source.  Missing keys on the way are created as objects.
 */
PG_FUNCTION_INFO_V1(jsonb_merge_at_path);
Datum
jsonb_merge_at_path(PG_FUNCTION_ARGS)
{
	JbPath		path;
	Jsonb	   *doc;
	Jsonb	   *source;
	JbWalk		walk;
	Jsonb	   *result;

	jb_require_arg(fcinfo, 2, "path");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(2), &path);
	source = PG_GETARG_JSONB_P(1);
	jb_require_object(source, "source");

	doc = PG_GETARG_JSONB_P(0);
	jb_walk(doc, &path, true, &walk);
	if (walk.status == JB_WALK_FOUND)
	{
		JbMergePlan plan;

		if (!JbValueIsObject(&walk.value))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("value at path is not an object"),
					 errdetail("The value at the path is of type %s.",
							   jb_type_name(&walk.value))));
		jb_merge_plan(JbValueContainer(&walk.value), &source->root, &plan);
		if (!plan.changed)
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		result = jb_rewrite(doc, walk.steps, walk.depth, NULL, 0,
							write_merged, &plan, VARSIZE(source));
	}
	else
	{
		JbValue		value;

		/* {} || source is source: it goes where the missing key was */
		jb_walk_require(&walk);
		jb_root_value(source, &value);
		result = jb_rewrite(doc, walk.steps, walk.depth, &path, walk.stop + 1,
							write_value, &value, value.len);
	}
	PG_FREE_IF_COPY(doc, 0);
	PG_RETURN_JSONB_P(result);
}
