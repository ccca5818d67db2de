/*-------------------------------------------------------------------------
 *
 * projection_ops.c
 *	  SQL-callable functions for the code the projection engine generates:
 *	  replacing array elements found by their exact stored value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "jsonb_ivm.h"

/* Replacements in one array: new values at distinct indexes, in order. */
typedef struct Replacements
{
	const JsonbContainer *arr;
	int		   *index;			/* ascending */
	JbValue    *value;
	int			n;
} Replacements;

/* Leaf writer: the array with its replaced elements, runs between copied. */
static void
write_replaced_array(JbWriter *w, void *arg)
{
	Replacements *r = (Replacements *) arg;
	int			len = r->arr->header & JB_CMASK;
	int			next = 0;

	jbw_open(w, JB_FARRAY, len);
	for (int k = 0; k < r->n; k++)
	{
		jbw_children(w, r->arr, next, r->index[k]);
		jbw_value(w, &r->value[k]);
		next = r->index[k] + 1;
	}
	jbw_children(w, r->arr, next, len);
	jbw_close(w);
}

/*
 * The only index of arr whose element is stored exactly as v, or -1 when
 * there is none or more than one.
 */
static int
unique_identical(const JsonbContainer *arr, const JbValue *v)
{
	int			len = arr->header & JB_CMASK;
	int			found = -1;
	JbCursor	cur;

	jb_cursor_init(&cur, arr, 0);
	for (int i = 0; i < len; i++)
	{
		JbValue		elem;

		CHECK_FOR_INTERRUPTS();
		jb_cursor_next(&cur, &elem);
		if (jb_values_identical(&elem, v))
		{
			if (found >= 0)
				return -1;
			found = i;
		}
	}
	return found;
}

static int
index_cmp(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/*
 * jsonb_ivm_array_replace(target, array_path, olds, news): replace, in the
 * array at array_path, the element stored exactly as olds[i] by news[i],
 * for every i.  Returns NULL when the path is not an array or an old
 * element is not found exactly once: the caller then recomputes the
 * document.  Not STRICT: a NULL target gives NULL.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_array_replace);
Datum
jsonb_ivm_array_replace(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc;
	JbPath		path;
	JbWalk		walk;
	JbValue		olds;
	JbValue		news;
	Replacements r;
	int		   *order;
	int			n;

	jb_require_arg(fcinfo, 1, "array_path");
	jb_require_arg(fcinfo, 2, "olds");
	jb_require_arg(fcinfo, 3, "news");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	jb_root_value(PG_GETARG_JSONB_P(2), &olds);
	jb_root_value(PG_GETARG_JSONB_P(3), &news);
	if (!JbValueIsArray(&olds) || !JbValueIsArray(&news) ||
		(JbValueContainer(&olds)->header & JB_CMASK) !=
		(JbValueContainer(&news)->header & JB_CMASK))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("olds and news must be jsonb arrays of the same length")));

	doc = PG_GETARG_JSONB_P(0);
	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(1), &path);
	jb_walk(doc, &path, true, &walk);
	if (walk.status != JB_WALK_FOUND || !JbValueIsArray(&walk.value))
		PG_RETURN_NULL();
	r.arr = JbValueContainer(&walk.value);

	n = JbValueContainer(&olds)->header & JB_CMASK;
	if ((Size) n > MaxAllocSize / (sizeof(int) * 2 + sizeof(JbValue)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many replacements: %d", n)));
	r.index = palloc(sizeof(int) * n);
	r.value = palloc(sizeof(JbValue) * n);
	order = palloc(sizeof(int) * n * 2);
	for (int i = 0; i < n; i++)
	{
		JbValue		old;

		jb_child(JbValueContainer(&olds), i, &old);
		order[2 * i] = unique_identical(r.arr, &old);
		order[2 * i + 1] = i;
		if (order[2 * i] < 0)
			PG_RETURN_NULL();
	}
	/* by index; two olds found at one index cannot both be replaced */
	qsort(order, n, sizeof(int) * 2, index_cmp);
	for (int k = 0; k < n; k++)
	{
		if (k > 0 && order[2 * k] == order[2 * k - 2])
			PG_RETURN_NULL();
		r.index[k] = order[2 * k];
		jb_child(JbValueContainer(&news), order[2 * k + 1], &r.value[k]);
	}
	r.n = n;

	PG_RETURN_JSONB_P(jb_rewrite(doc, walk.steps, walk.depth, NULL, 0,
								 write_replaced_array, &r,
								 VARSIZE(PG_GETARG_JSONB_P(3))));
}
