/*-------------------------------------------------------------------------
 *
 * path.c
 *	  Paths into a binary jsonb: reading text[] path arguments, walking them
 *	  the way #> and jsonb_set do, and rewriting the containers along a walk
 *	  with the splice writer.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "common/string.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "jsonb_ivm.h"

/*
 * A path argument of a writing function, validated as jsonb_set validates
 * it: one dimension and no NULL elements.
 */
void
jb_path_for_write(ArrayType *arr, JbPath *path)
{
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("wrong number of array subscripts")));
	jb_path_for_read(arr, path);
	for (i = 0; i < path->len; i++)
		if (path->nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("path element at position %d is null", i + 1)));
}

/*
 * A path argument read as #> reads it: any number of dimensions, taken in
 * storage order, and NULL elements allowed (they match nothing).  A walk
 * takes one JbStep per element and one more, which must fit one allocation.
 */
void
jb_path_for_read(ArrayType *arr, JbPath *path)
{
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &path->elems, &path->nulls, &path->len);
	if ((Size) path->len > MaxAllocSize / sizeof(JbStep) - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of path elements (%d) exceeds the maximum allowed (%d)",
						path->len, (int) (MaxAllocSize / sizeof(JbStep) - 1))));
}

/* The bytes of path element pos, used as an object key. */
void
jb_path_key(const JbPath *path, int pos, const char **key, uint32 *keylen)
{
	text	   *t;

	Assert(pos >= 0 && pos < path->len && !path->nulls[pos]);
	t = DatumGetTextPP(path->elems[pos]);
	*key = VARDATA_ANY(t);
	*keylen = VARSIZE_ANY_EXHDR(t);
}

/*
 * Parse path element pos as an array index, as jsonb_set and #> do with
 * strtoint().  Returns false if it is not an integer.
 */
static bool
jb_path_index(const JbPath *path, int pos, int *index, char **str)
{
	char	   *c;
	char	   *badp;

	Assert(pos >= 0 && pos < path->len && !path->nulls[pos]);
	c = TextDatumGetCString(path->elems[pos]);
	errno = 0;
	*index = strtoint(c, &badp, 10);
	*str = c;
	return !(badp == c || *badp != '\0' || errno != 0);
}

/*
 * Walk path through doc and describe where it ends (see JbWalk).
 *
 * Objects are entered by key, arrays by index (negative indexes count from
 * the end); a raw scalar root is a scalar.  for_write selects jsonb_set's
 * rules, where an element that is not an integer is an error when the walk
 * meets an array; otherwise #>'s, where it (or a NULL element) simply means
 * that nothing is there (reported as JB_WALK_MISSING_KEY; a read does not
 * look at the steps).
 */
void
jb_walk(const Jsonb *doc, const JbPath *path, bool for_write, JbWalk *walk)
{
	JbValue		cur;
	int			i;

	walk->steps = palloc(sizeof(JbStep) * (path->len + 1));
	walk->depth = 0;
	jb_root_value(doc, &cur);

	for (i = 0; i < path->len; i++)
	{
		JbStep	   *step = &walk->steps[i];

		CHECK_FOR_INTERRUPTS();
		walk->stop = i;
		walk->value = cur;

		if (path->nulls[i])
		{
			/* only a read path can get here; nothing is there */
			walk->status = JB_WALK_MISSING_KEY;
			return;
		}

		if (JbValueIsObject(&cur))
		{
			const JsonbContainer *obj = JbValueContainer(&cur);
			bool		found;

			step->container = obj;
			jb_path_key(path, i, &step->key, &step->keylen);
			step->index = jb_find_key(obj, step->key, step->keylen, &found);
			step->insert = !found;
			walk->depth = i + 1;
			if (!found)
			{
				walk->status = JB_WALK_MISSING_KEY;
				return;
			}
			jb_child(obj, JsonContainerSize(obj) + step->index, &cur);
		}
		else if (JbValueIsArray(&cur))
		{
			const JsonbContainer *arr = JbValueContainer(&cur);
			int			n = JsonContainerSize(arr);
			int			index;
			char	   *str;

			if (!jb_path_index(path, i, &index, &str))
			{
				if (for_write)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
							 errmsg("path element at position %d is not an integer: \"%s\"",
									i + 1, str)));
				walk->status = JB_WALK_MISSING_KEY;
				return;
			}
			walk->bad_index = index;
			if (index < 0)
				index = (-(int64) index > n) ? n : n + index;
			if (index >= n)
			{
				walk->status = JB_WALK_OUT_OF_RANGE;
				return;
			}
			step->container = arr;
			step->index = index;
			step->insert = false;
			step->key = NULL;
			step->keylen = 0;
			walk->depth = i + 1;
			jb_child(arr, index, &cur);
		}
		else
		{
			walk->status = JB_WALK_SCALAR;
			return;
		}
	}
	walk->stop = path->len;
	walk->value = cur;
	walk->status = JB_WALK_FOUND;
}

/*
 * For the functions that create what is missing: an out-of-range index or
 * a scalar on the way is an error.  A missing key is fine.
 */
void
jb_walk_require(const JbWalk *walk)
{
	if (walk->status == JB_WALK_OUT_OF_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path element at position %d is out of range: %d",
						walk->stop + 1, walk->bad_index)));
	if (walk->status == JB_WALK_SCALAR)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot set path in scalar"),
				 errdetail("Path element at position %d cannot be applied to a value of type %s.",
						   walk->stop + 1, jb_type_name(&walk->value))));
}

/* Leaf writer for jb_rewrite: the JbValue arg points to. */
void
jb_leaf_value(JbWriter *w, void *arg)
{
	jbw_value(w, (const JbValue *) arg);
}

/*
 * Build a new jsonb from doc, rebuilding only the containers of steps and
 * copying every other child as raw bytes.
 *
 * Each step's container is rewritten with the next step's container in
 * place of the child it followed.  The last step replaces its child, or
 * inserts one (an array element at index, or an object pair with the
 * step's key at its sorted position).  The new child is what leaf writes,
 * wrapped in one single-key object per element of create from create_from
 * on (the missing rest of a path).  With no steps, leaf writes the root.
 * extra is about how many bytes leaf adds, to size the buffer once.
 */
Jsonb *
jb_rewrite(const Jsonb *doc, const JbStep *steps, int nsteps,
		   const JbPath *create, int create_from,
		   JbLeafWriter leaf, void *arg, Size extra)
{
	JbWriter	w;
	int			ncreate = create ? create->len - create_from : 0;
	int			k;

	Assert(ncreate >= 0 && nsteps >= 0);

	extra += (Size) (nsteps + ncreate + 2) * 64;
	if (nsteps > 0 && steps[nsteps - 1].insert &&
		JsonContainerIsObject(steps[nsteps - 1].container))
		extra += steps[nsteps - 1].keylen;
	for (k = 0; k < ncreate; k++)
		extra += VARSIZE_ANY_EXHDR(DatumGetPointer(create->elems[create_from + k]));
	jbw_init(&w, VARSIZE(doc) + extra);

	/* down the spine: every child before the one followed */
	for (k = 0; k < nsteps; k++)
	{
		const JbStep *s = &steps[k];
		const JsonbContainer *c = s->container;
		int			n = JsonContainerSize(c);

		CHECK_FOR_INTERRUPTS();
		Assert(s->index >= 0 && s->index <= n);
		Assert(s->insert ? (k == nsteps - 1) : s->index < n);
		if (JsonContainerIsObject(c))
		{
			if (s->insert)
			{
				jbw_open(&w, JB_FOBJECT, n + 1);
				jbw_children(&w, c, 0, s->index);
				jbw_key(&w, s->key, s->keylen);
				jbw_children(&w, c, s->index, n + s->index);
			}
			else
			{
				jbw_open(&w, JB_FOBJECT, n);
				jbw_children(&w, c, 0, n + s->index);
			}
		}
		else
		{
			jbw_open(&w, JB_FARRAY, s->insert ? n + 1 : n);
			jbw_children(&w, c, 0, s->index);
		}
	}

	/* the new value, inside the objects that complete the path */
	for (k = 0; k < ncreate; k++)
	{
		const char *key;
		uint32		keylen;

		CHECK_FOR_INTERRUPTS();
		jb_path_key(create, create_from + k, &key, &keylen);
		jbw_open(&w, JB_FOBJECT, 1);
		jbw_key(&w, key, keylen);
	}
	leaf(&w, arg);
	for (k = 0; k < ncreate; k++)
		jbw_close(&w);

	/* and back up: every child after the one followed */
	for (k = nsteps - 1; k >= 0; k--)
	{
		const JbStep *s = &steps[k];
		const JsonbContainer *c = s->container;
		int			n = JsonContainerSize(c);
		int			next = s->insert ? s->index : s->index + 1;

		if (JsonContainerIsObject(c))
			jbw_children(&w, c, n + next, 2 * n);
		else
			jbw_children(&w, c, next, n);
		jbw_close(&w);
	}
	return jbw_finish(&w);
}
