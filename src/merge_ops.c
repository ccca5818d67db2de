/*-------------------------------------------------------------------------
 *
 * merge_ops.c
 *	  SQL-callable functions that merge objects into a document: at a path
 *	  (shallow), recursively (deep merge) and as an RFC 7386 merge patch.
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

/*
 * One pair of a merged object: its key and where its value comes from.  A
 * value from both sides is merged recursively (deep merge) or patched
 * (merge patch).
 */
typedef enum PairSource
{
	FROM_TARGET,
	FROM_SOURCE,
	FROM_BOTH
} PairSource;

typedef struct MergedPair
{
	JbValue		key;
	PairSource	from;
	int			tindex;			/* pair index in the target object */
	int			sindex;			/* pair index in the source object */
} MergedPair;

/*
 * The pairs of two objects (t may be NULL: no pairs) in jsonb key order,
 * like a merge join.  Sets *npairs; the caller decides what each becomes.
 */
static MergedPair *
join_pairs(const JsonbContainer *t, const JsonbContainer *s, int *npairs)
{
	int			nt = t ? JsonContainerSize(t) : 0;
	int			ns = JsonContainerSize(s);
	MergedPair *pairs;
	JbCursor	ct = {0},
				cs;
	JbValue		kt = {0},
				ks = {0};
	int			i = 0,
				j = 0,
				m = 0;

	jb_check_alloc((Size) nt + ns, sizeof(MergedPair), "pairs to merge");
	pairs = palloc(sizeof(MergedPair) * Max(nt + ns, 1));
	if (nt > 0)
	{
		jb_cursor_init(&ct, t, 0);
		jb_cursor_next(&ct, &kt);
	}
	jb_cursor_init(&cs, s, 0);
	if (ns > 0)
		jb_cursor_next(&cs, &ks);

	while (i < nt || j < ns)
	{
		int			cmp;
		MergedPair *p = &pairs[m++];

		if (i == nt)
			cmp = 1;
		else if (j == ns)
			cmp = -1;
		else
			cmp = jb_key_cmp(kt.data, kt.len, ks.data, ks.len);

		p->tindex = i;
		p->sindex = j;
		if (cmp < 0)
		{
			p->key = kt;
			p->from = FROM_TARGET;
		}
		else
		{
			p->key = ks;
			p->from = cmp == 0 ? FROM_BOTH : FROM_SOURCE;
		}
		if (cmp <= 0 && ++i < nt)
			jb_cursor_next(&ct, &kt);
		if (cmp >= 0 && ++j < ns)
			jb_cursor_next(&cs, &ks);
	}
	*npairs = m;
	return pairs;
}

/* Value of pair index of object c. */
static void
pair_value(const JsonbContainer *c, int index, JbValue *v)
{
	jb_child(c, JsonContainerSize(c) + index, v);
}

/*
 * Whether deep-merging s into t changes t: a key of s missing from t, or a
 * value that differs, unless both values are objects that merge without a
 * change.
 */
static bool
deep_merge_changes(const JsonbContainer *t, const JsonbContainer *s)
{
	int			ns = JsonContainerSize(s);
	JbCursor	cur;
	int			j;

	check_stack_depth();
	jb_cursor_init(&cur, s, 0);
	for (j = 0; j < ns; j++)
	{
		JbValue		key;
		JbValue		tv;
		JbValue		sv;

		jb_cursor_next(&cur, &key);
		if (!jb_object_get(t, key.data, key.len, &tv))
			return true;
		pair_value(s, j, &sv);
		if (JbValueIsObject(&tv) && JbValueIsObject(&sv))
		{
			if (deep_merge_changes(JbValueContainer(&tv), JbValueContainer(&sv)))
				return true;
		}
		else if (!jb_values_identical(&tv, &sv))
			return true;
	}
	return false;
}

/* Write the deep merge of objects t and s as the next value. */
static void
write_deep_merged(JbWriter *w, const JsonbContainer *t, const JsonbContainer *s)
{
	int			npairs;
	MergedPair *pairs = join_pairs(t, s, &npairs);
	int			k;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	jbw_open(w, JB_FOBJECT, npairs);
	for (k = 0; k < npairs; k++)
		jbw_value(w, &pairs[k].key);
	for (k = 0; k < npairs; k++)
	{
		JbValue		tv;
		JbValue		sv;

		if (pairs[k].from == FROM_TARGET)
		{
			pair_value(t, pairs[k].tindex, &tv);
			jbw_value(w, &tv);
			continue;
		}
		pair_value(s, pairs[k].sindex, &sv);
		if (pairs[k].from == FROM_BOTH)
		{
			pair_value(t, pairs[k].tindex, &tv);
			if (JbValueIsObject(&tv) && JbValueIsObject(&sv))
			{
				write_deep_merged(w, JbValueContainer(&tv), JbValueContainer(&sv));
				continue;
			}
		}
		jbw_value(w, &sv);
	}
	jbw_close(w);
	pfree(pairs);
}

static void
write_deep_merged_root(JbWriter *w, void *arg)
{
	const JsonbContainer **objects = (const JsonbContainer **) arg;

	write_deep_merged(w, objects[0], objects[1]);
}

/*
 * jsonb_deep_merge(target, source): objects merge recursively, key by key;
 * anything else in source replaces what target has.
 */
PG_FUNCTION_INFO_V1(jsonb_deep_merge);
Datum
jsonb_deep_merge(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc;
	Jsonb	   *source;
	JbValue		t;
	JbValue		s;
	const JsonbContainer *objects[2];
	Jsonb	   *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	source = PG_GETARG_JSONB_P(1);
	doc = PG_GETARG_JSONB_P(0);
	jb_root_value(doc, &t);
	jb_root_value(source, &s);
	if (!JbValueIsObject(&t) || !JbValueIsObject(&s))
	{
		if (jb_values_identical(&t, &s))
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));
	}
	if (!deep_merge_changes(&doc->root, &source->root))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	objects[0] = &doc->root;
	objects[1] = &source->root;
	result = jb_rewrite(doc, NULL, 0, NULL, 0, write_deep_merged_root, objects,
						VARSIZE(source));
	PG_FREE_IF_COPY(doc, 0);
	PG_RETURN_JSONB_P(result);
}

/*
 * Whether applying merge patch p to object t changes it (RFC 7386): a null
 * that removes a key t has, a key t lacks, a value that differs, an object
 * patch applied to a non-object.
 */
static bool
merge_patch_changes(const JsonbContainer *t, const JsonbContainer *p)
{
	int			np = JsonContainerSize(p);
	JbCursor	cur;
	int			j;

	check_stack_depth();
	jb_cursor_init(&cur, p, 0);
	for (j = 0; j < np; j++)
	{
		JbValue		key;
		JbValue		tv;
		JbValue		pv;
		bool		has = false;

		jb_cursor_next(&cur, &key);
		pair_value(p, j, &pv);
		has = jb_object_get(t, key.data, key.len, &tv);
		if (pv.type == JENTRY_ISNULL)
		{
			if (has)
				return true;
		}
		else if (!has)
			return true;
		else if (JbValueIsObject(&pv))
		{
			if (!JbValueIsObject(&tv) ||
				merge_patch_changes(JbValueContainer(&tv), JbValueContainer(&pv)))
				return true;
		}
		else if (!jb_values_identical(&tv, &pv))
			return true;
	}
	return false;
}

/*
 * Write the result of merge patch p applied to object t (NULL: an empty
 * object, as the RFC puts it for a target that is not an object).
 */
static void
write_merge_patched(JbWriter *w, const JsonbContainer *t, const JsonbContainer *p)
{
	int			npairs;
	MergedPair *pairs = join_pairs(t, p, &npairs);
	int			nkept = 0;
	int			k;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	/* a null in the patch removes the key, or adds nothing */
	for (k = 0; k < npairs; k++)
	{
		if (pairs[k].from != FROM_TARGET)
		{
			JbValue		pv;

			pair_value(p, pairs[k].sindex, &pv);
			if (pv.type == JENTRY_ISNULL)
				continue;
		}
		pairs[nkept++] = pairs[k];
	}

	jbw_open(w, JB_FOBJECT, nkept);
	for (k = 0; k < nkept; k++)
		jbw_value(w, &pairs[k].key);
	for (k = 0; k < nkept; k++)
	{
		JbValue		tv;
		JbValue		pv;

		if (pairs[k].from == FROM_TARGET)
		{
			pair_value(t, pairs[k].tindex, &tv);
			jbw_value(w, &tv);
			continue;
		}
		pair_value(p, pairs[k].sindex, &pv);
		if (JbValueIsObject(&pv))
		{
			const JsonbContainer *sub = NULL;

			if (pairs[k].from == FROM_BOTH)
			{
				pair_value(t, pairs[k].tindex, &tv);
				if (JbValueIsObject(&tv))
					sub = JbValueContainer(&tv);
			}
			write_merge_patched(w, sub, JbValueContainer(&pv));
		}
		else
			jbw_value(w, &pv);
	}
	jbw_close(w);
	pfree(pairs);
}

static void
write_merge_patched_root(JbWriter *w, void *arg)
{
	const JsonbContainer **objects = (const JsonbContainer **) arg;

	write_merge_patched(w, objects[0], objects[1]);
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
	Jsonb	   *doc;
	Jsonb	   *patch;
	JbValue		t;
	JbValue		p;
	const JsonbContainer *objects[2];
	Jsonb	   *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	patch = PG_GETARG_JSONB_P(1);
	jb_root_value(patch, &p);
	doc = PG_GETARG_JSONB_P(0);
	jb_root_value(doc, &t);
	if (!JbValueIsObject(&p))
	{
		if (jb_values_identical(&t, &p))
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));
	}
	if (JbValueIsObject(&t) && !merge_patch_changes(&doc->root, &patch->root))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	objects[0] = JbValueIsObject(&t) ? &doc->root : NULL;
	objects[1] = &patch->root;
	result = jb_rewrite(doc, NULL, 0, NULL, 0, write_merge_patched_root,
						objects, VARSIZE(patch));
	PG_FREE_IF_COPY(doc, 0);
	PG_RETURN_JSONB_P(result);
}
