/*-------------------------------------------------------------------------
 *
 * merge_ops.c
 *	  SQL-callable functions that merge objects into a document: at a path
 *	  (shallow), recursively (deep merge) and as an RFC 7386 merge patch;
 *	  and that set a value at a path, or ask whether that would change
 *	  anything (jsonb_ivm_set_at_path, jsonb_ivm_identical_at,
 *	  jsonb_ivm_identical_merge).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"

#include "jsonb_ivm.h"

static void
write_merged(JbWriter *w, void *arg)
{
	jbw_merged_object(w, (JbMergePlan *) arg);
}

/* The jsonb in argument argno as a value; SQL NULL as JSON null. */
static void
value_or_null(FunctionCallInfo fcinfo, int argno, JbValue *value)
{
	if (PG_ARGISNULL(argno))
	{
		value->type = JENTRY_ISNULL;
		value->data = NULL;
		value->len = 0;
	}
	else
		jb_root_value(PG_GETARG_JSONB_P(argno), value);
}

/*
 * The document in argument 0 with the value of argument valuearg at the
 * path in argument patharg: merged into the object found there (merge:
 * the value is an object, as jsonb_merge_at_path takes it), or in place of
 * the value found (a NULL value: JSON null).  A missing key on
 * the way is created: the value goes where it was, inside single-key
 * objects for the rest of the path.  The document itself comes back when
 * nothing changes.  Argument 0 is not NULL, nor is valuearg for a merge.
 */
static Datum
write_at_path(FunctionCallInfo fcinfo, int patharg, int valuearg, bool merge)
{
	JbPath		path;
	Jsonb	   *doc;
	Jsonb	   *source = NULL;
	JbValue		value;
	JbWalk		walk;
	Jsonb	   *result;

	Assert(!PG_ARGISNULL(0) && (!merge || !PG_ARGISNULL(valuearg)));
	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(patharg), &path);
	if (merge)
		source = jb_object_arg(fcinfo, valuearg, "source", &value);
	else
		value_or_null(fcinfo, valuearg, &value);

	doc = PG_GETARG_JSONB_P(0);
	jb_walk(doc, &path, true, &walk);
	if (walk.status == JB_WALK_FOUND && merge)
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
	else if (walk.status == JB_WALK_FOUND &&
			 jb_values_identical(&walk.value, &value))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	else
	{
		/* {} || source is source: it goes where the missing key was */
		result = jb_write_at_path(doc, &path, &walk, &value);
	}
	PG_FREE_IF_COPY(doc, 0);
	PG_RETURN_JSONB_P(result);
}

/*
 * jsonb_merge_at_path(target, source, path): the object at path becomes
 * object || source.  Missing keys on the way are created as objects.
 */
PG_FUNCTION_INFO_V1(jsonb_merge_at_path);
Datum
jsonb_merge_at_path(PG_FUNCTION_ARGS)
{
	jb_require_arg(fcinfo, 2, "path");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	return write_at_path(fcinfo, 2, 1, true);
}

/*
 * jsonb_ivm_set_at_path(target, path, value): target with the value at path
 * replaced by value, or the missing key at the end of path added, as
 * jsonb_set with create_missing does, but splicing value into the stored
 * document instead of rebuilding it.  A NULL value sets JSON null, as
 * jsonb_build_object does for a NULL argument.  Not STRICT for that reason;
 * a NULL target gives NULL.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_set_at_path);
Datum
jsonb_ivm_set_at_path(PG_FUNCTION_ARGS)
{
	jb_require_arg(fcinfo, 1, "path");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return write_at_path(fcinfo, 1, 2, false);
}

/*
 * jsonb_ivm_identical_at(target, path, value): whether the value at path is
 * stored exactly as value (a NULL value: JSON null), that is whether
 * jsonb_ivm_set_at_path(target, path, value) would return target itself,
 * found without building that result.  A NULL target gives NULL.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_identical_at);
Datum
jsonb_ivm_identical_at(PG_FUNCTION_ARGS)
{
	JbPath		path;
	JbWalk		walk;
	JbValue		value;

	jb_require_arg(fcinfo, 1, "path");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(1), &path);
	value_or_null(fcinfo, 2, &value);
	jb_walk(PG_GETARG_JSONB_P(0), &path, true, &walk);
	PG_RETURN_BOOL(walk.status == JB_WALK_FOUND &&
				   jb_values_identical(&walk.value, &value));
}

/*
 * jsonb_ivm_identical_merge(target, source, path): whether
 * jsonb_merge_at_path(target, source, path) would return target itself,
 * found without building that result.  Where the merge would fail (no
 * object at path), false, so that the merge itself raises the error.  A
 * NULL target gives NULL; a NULL source changes nothing.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_identical_merge);
Datum
jsonb_ivm_identical_merge(PG_FUNCTION_ARGS)
{
	JbPath		path;
	JbWalk		walk;
	JbValue		value;
	Jsonb	   *source;
	JbMergePlan plan;

	jb_require_arg(fcinfo, 2, "path");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_BOOL(true);
	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(2), &path);
	source = jb_object_arg(fcinfo, 1, "source", &value);
	jb_walk(PG_GETARG_JSONB_P(0), &path, true, &walk);
	if (walk.status != JB_WALK_FOUND || !JbValueIsObject(&walk.value))
		PG_RETURN_BOOL(false);
	jb_merge_plan(JbValueContainer(&walk.value), &source->root, &plan);
	PG_RETURN_BOOL(!plan.changed);
}

/*
 * The recursive merges of two objects, target t and source s.  They differ
 * in what a value of s does, which the flag patch selects:
 * - deep merge (jsonb_deep_merge): an object merges into an object that t
 *   has at the same key; any other value replaces t's;
 * - merge patch (RFC 7386, jsonb_merge_patch): null removes the key; an
 *   object is applied as a patch to t's value, or to an empty object if
 *   that is not an object; any other value replaces t's.
 */

/*
 * Whether source value sv merges into the target's value rather than
 * replacing it.  tsub is the target's value if that is an object, else NULL.
 */
static inline bool
merges_into(const JbValue *sv, const JsonbContainer *tsub, bool patch)
{
	return JbValueIsObject(sv) && (patch || tsub != NULL);
}

/* Whether merging s into object t changes t. */
static bool
merge_changes(const JsonbContainer *t, const JsonbContainer *s, bool patch)
{
	int			ns = JsonContainerSize(s);
	JbCursor	keys;
	JbCursor	values;
	int			j;

	Assert(JsonContainerIsObject(t) && JsonContainerIsObject(s));
	check_stack_depth();
	jb_cursor_init(&keys, s, 0);
	jb_cursor_init(&values, s, ns);
	for (j = 0; j < ns; j++)
	{
		JbValue		key;
		JbValue		tv;
		JbValue		sv;
		const JsonbContainer *tsub;

		CHECK_FOR_INTERRUPTS();
		jb_cursor_next(&keys, &key);
		jb_cursor_next(&values, &sv);
		if (!jb_object_get(t, key.data, key.len, &tv))
		{
			/* the key is added, unless a patch removes it */
			if (!(patch && sv.type == JENTRY_ISNULL))
				return true;
			continue;
		}
		if (patch && sv.type == JENTRY_ISNULL)
			return true;		/* the key is removed */
		tsub = JbValueIsObject(&tv) ? JbValueContainer(&tv) : NULL;
		if (merges_into(&sv, tsub, patch))
		{
			if (tsub == NULL ||
				merge_changes(tsub, JbValueContainer(&sv), patch))
				return true;
		}
		else if (!jb_values_identical(&tv, &sv))
			return true;
	}
	return false;
}

/*
 * One pair of a merged object: its key, and its pair index in the target
 * and in the source object, -1 on the side that lacks it.
 */
typedef struct MergedPair
{
	JbValue		key;
	int			tindex;
	int			sindex;
} MergedPair;

/*
 * Write the merge of s into t (NULL: an empty object) as the next value.
 * The pairs come in key order, so the values of each side are read with a
 * cursor that only moves forward.
 */
static void
write_merge(JbWriter *w, const JsonbContainer *t, const JsonbContainer *s,
			bool patch)
{
	JbKeyJoin	kj;
	JbCursor	tvalues = {0};
	JbCursor	svalues;
	JbValue		key;
	int			ti;
	int			si;
	MergedPair *pairs;
	int			npairs = 0;
	int			k;

	check_stack_depth();

	/* the pairs of the result; a null in a patch adds nothing */
	jb_key_join_init(&kj, t, s);
	jb_check_alloc((Size) kj.na + kj.nb, sizeof(MergedPair), "pairs to merge");
	pairs = palloc(sizeof(MergedPair) * Max(kj.na + kj.nb, 1));
	jb_cursor_init(&svalues, s, kj.nb);
	while (jb_key_join_next(&kj, &key, &ti, &si))
	{
		CHECK_FOR_INTERRUPTS();
		if (patch && si >= 0)
		{
			JbValue		sv;

			jb_cursor_read(&svalues, kj.nb + si, &sv);
			if (sv.type == JENTRY_ISNULL)
				continue;
		}
		pairs[npairs].key = key;
		pairs[npairs].tindex = ti;
		pairs[npairs].sindex = si;
		npairs++;
	}

	jbw_open(w, JB_FOBJECT, npairs);
	for (k = 0; k < npairs; k++)
		jbw_value(w, &pairs[k].key);
	if (t != NULL)
		jb_cursor_init(&tvalues, t, kj.na);
	jb_cursor_init(&svalues, s, kj.nb);
	for (k = 0; k < npairs; k++)
	{
		JbValue		tv;
		JbValue		sv;
		const JsonbContainer *tsub = NULL;

		CHECK_FOR_INTERRUPTS();
		if (pairs[k].tindex >= 0)
		{
			jb_cursor_read(&tvalues, kj.na + pairs[k].tindex, &tv);
			if (pairs[k].sindex < 0)
			{
				jbw_value(w, &tv);
				continue;
			}
			if (JbValueIsObject(&tv))
				tsub = JbValueContainer(&tv);
		}
		jb_cursor_read(&svalues, kj.nb + pairs[k].sindex, &sv);
		if (merges_into(&sv, tsub, patch))
			write_merge(w, tsub, JbValueContainer(&sv), patch);
		else
			jbw_value(w, &sv);
	}
	jbw_close(w);
	pfree(pairs);
}

typedef struct MergeCall
{
	const JsonbContainer *t;
	const JsonbContainer *s;
	bool		patch;
} MergeCall;

static void
write_merge_root(JbWriter *w, void *arg)
{
	const MergeCall *m = (const MergeCall *) arg;

	write_merge(w, m->t, m->s, m->patch);
}

/*
 * jsonb_deep_merge(target, source) and jsonb_merge_patch(target, patch).
 * A source that is not an object replaces the target; so does any source
 * for a target that is not an object, except that a patch object applies to
 * it as to an empty object.
 */
static Datum
merge_documents(FunctionCallInfo fcinfo, bool patch)
{
	Jsonb	   *doc;
	Jsonb	   *source;
	JbValue		t;
	JbValue		s;
	MergeCall	m;
	Jsonb	   *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	source = PG_GETARG_JSONB_P(1);
	doc = PG_GETARG_JSONB_P(0);
	jb_root_value(doc, &t);
	jb_root_value(source, &s);
	if (!JbValueIsObject(&s) || (!patch && !JbValueIsObject(&t)))
	{
		if (jb_values_identical(&t, &s))
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));
	}
	if (JbValueIsObject(&t) && !merge_changes(&doc->root, &source->root, patch))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	m.t = JbValueIsObject(&t) ? &doc->root : NULL;
	m.s = &source->root;
	m.patch = patch;
	result = jb_rewrite(doc, NULL, 0, NULL, 0, write_merge_root, &m,
						VARSIZE(source));
	PG_FREE_IF_COPY(doc, 0);
	PG_RETURN_JSONB_P(result);
}

/*
 * jsonb_deep_merge(target, source): objects merge recursively, key by key;
 * anything else in source replaces what target has.
 */
PG_FUNCTION_INFO_V1(jsonb_deep_merge);
Datum
jsonb_deep_merge(PG_FUNCTION_ARGS)
{
	return merge_documents(fcinfo, false);
}

/*
 * jsonb_merge_patch(target, patch): RFC 7386 JSON Merge Patch.  An object
 * patch merges key by key, a null removing the key; anything else replaces
 * the target.
 */
PG_FUNCTION_INFO_V1(jsonb_merge_patch);
Datum
jsonb_merge_patch(PG_FUNCTION_ARGS)
{
	return merge_documents(fcinfo, true);
}
