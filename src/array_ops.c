/*-------------------------------------------------------------------------
 *
 * array_ops.c
 *	  SQL-callable functions that patch arrays of objects found by key:
 *	  update, upsert, delete, sorted insert and batch update.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "jsonb_ivm.h"

/*
 * One call of a function that edits the array at array_path (argument 1)
 * of the target (argument 0): its arguments, and the array found.
 */
typedef struct ArrayCall
{
	JbPath		path;
	const char *key;			/* match_key, for the *_where functions */
	uint32		keylen;
	JbValue		match;			/* match_value, for those that take one */
	Jsonb	   *doc;
	JbWalk		walk;
	const JsonbContainer *arr;	/* the array at path, or NULL */
} ArrayCall;

/* The result of a call that changes nothing: the target, or NULL. */
static Datum
unchanged(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/*
 * The arguments (target, array_path, match_key, match_value, ...) of a
 * *_where function with nargs arguments (no match_value unless
 * has_match).  array_path and match_key must not be NULL; a NULL target, or
 * a NULL in any argument after match_key, leaves nothing to do: then return
 * false, and the caller returns unchanged().  Otherwise read the path, the
 * key and the match value.
 */
static bool
where_args(FunctionCallInfo fcinfo, int nargs, bool has_match, ArrayCall *c)
{
	text	   *key;
	int			i;

	Assert(nargs > 3 && nargs <= PG_NARGS());
	jb_require_arg(fcinfo, 1, "array_path");
	jb_require_arg(fcinfo, 2, "match_key");
	if (PG_ARGISNULL(0))
		return false;
	for (i = 3; i < nargs; i++)
		if (PG_ARGISNULL(i))
			return false;

	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(1), &c->path);
	key = PG_GETARG_TEXT_PP(2);
	c->key = VARDATA_ANY(key);
	c->keylen = VARSIZE_ANY_EXHDR(key);
	if (has_match)
		jb_root_value(PG_GETARG_JSONB_P(3), &c->match);
	return true;
}

/*
 * Walk the target along c->path and set c->arr to the array there, or to
 * NULL when nothing is there.  A value that is there but is not an array is
 * an error.  Returns c->arr.
 */
static const JsonbContainer *
find_array(FunctionCallInfo fcinfo, ArrayCall *c)
{
	c->doc = PG_GETARG_JSONB_P(0);
	jb_walk(c->doc, &c->path, true, &c->walk);
	c->arr = NULL;
	if (c->walk.status != JB_WALK_FOUND)
		return NULL;
	if (!JbValueIsArray(&c->walk.value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value at path is not an array"),
				 errdetail("The value at the path is of type %s.",
						   jb_type_name(&c->walk.value))));
	c->arr = JbValueContainer(&c->walk.value);
	return c->arr;
}

/*
 * Edits to the elements of one array, in index order: an element is merged
 * with a planned object, or dropped (plan NULL).
 */
typedef struct ElementEdit
{
	int			index;
	JbMergePlan *plan;
} ElementEdit;

typedef struct ArrayEdits
{
	const JsonbContainer *arr;
	ElementEdit *edits;
	int			nedits;
	int			capacity;
	int			ndropped;
} ArrayEdits;

static void
edits_init(ArrayEdits *e, const JsonbContainer *arr)
{
	e->arr = arr;
	e->capacity = 4;
	e->edits = palloc(sizeof(ElementEdit) * e->capacity);
	e->nedits = 0;
	e->ndropped = 0;
}

static void
edits_add(ArrayEdits *e, int index, JbMergePlan *plan)
{
	Assert(index >= 0 && index < (int) JsonContainerSize(e->arr));
	Assert(e->nedits == 0 || index > e->edits[e->nedits - 1].index);
	if (e->nedits == e->capacity)
	{
		jb_check_alloc((Size) e->capacity + 1, sizeof(ElementEdit),
					   "edited elements");
		e->capacity = Min((Size) e->capacity * 2,
						  MaxAllocSize / sizeof(ElementEdit));
		e->edits = repalloc(e->edits, sizeof(ElementEdit) * e->capacity);
	}
	e->edits[e->nedits].index = index;
	e->edits[e->nedits].plan = plan;
	e->nedits++;
	if (plan == NULL)
		e->ndropped++;
}

/* Leaf writer: the array with its edits applied, runs between them copied. */
static void
write_edited_array(JbWriter *w, void *arg)
{
	ArrayEdits *e = (ArrayEdits *) arg;
	int			n = JsonContainerSize(e->arr);
	int			next = 0;
	int			k;

	jbw_open(w, JB_FARRAY, n - e->ndropped);
	for (k = 0; k < e->nedits; k++)
	{
		const ElementEdit *edit = &e->edits[k];

		CHECK_FOR_INTERRUPTS();
		jbw_children(w, e->arr, next, edit->index);
		if (edit->plan)
			jbw_merged_object(w, edit->plan);
		next = edit->index + 1;
	}
	jbw_children(w, e->arr, next, n);
	jbw_close(w);
}

/*
 * Plan the merge of updates into element index of arr; NULL when it would
 * change nothing.
 */
static JbMergePlan *
plan_element_merge(const JsonbContainer *arr, int index,
				   const JsonbContainer *updates)
{
	JbMergePlan *plan = palloc(sizeof(JbMergePlan));
	JbValue		elem;

	jb_child(arr, index, &elem);
	Assert(JbValueIsObject(&elem));
	jb_merge_plan(JbValueContainer(&elem), updates, plan);
	return plan->changed ? plan : NULL;
}

static void
write_one_element_array(JbWriter *w, void *arg)
{
	jbw_open(w, JB_FARRAY, 1);
	jbw_value(w, (JbValue *) arg);
	jbw_close(w);
}

/*
 * Return the target with its edits applied to the array c->arr; extra is
 * about how many bytes they add.
 */
static Datum
edit_array(FunctionCallInfo fcinfo, ArrayCall *c, ArrayEdits *edits,
		   Size extra)
{
	Jsonb	   *result;

	Assert(c->arr != NULL && edits->arr == c->arr && edits->nedits > 0);
	result = jb_rewrite(c->doc, c->walk.steps, c->walk.depth, NULL, 0,
						write_edited_array, edits, extra);
	PG_FREE_IF_COPY(c->doc, 0);
	PG_RETURN_JSONB_P(result);
}

/*
 * Return the target with element put into the array c->arr: in place of
 * element index, or inserted before it when insert is set (index = count
 * appends).  When there is no array, create it, with the objects leading
 * to it.
 */
static Datum
put_element(FunctionCallInfo fcinfo, ArrayCall *c, int index, bool insert,
			JbValue *element)
{
	JbWalk	   *walk = &c->walk;
	Jsonb	   *result;

	if (c->arr == NULL)
	{
		jb_walk_require(walk);
		result = jb_rewrite(c->doc, walk->steps, walk->depth,
							&c->path, walk->stop + 1,
							write_one_element_array, element, element->len);
	}
	else
	{
		Assert(index >= 0 && index <= (int) JsonContainerSize(c->arr));
		Assert(insert || index < (int) JsonContainerSize(c->arr));
		walk->steps[walk->depth].container = c->arr;
		walk->steps[walk->depth].index = index;
		walk->steps[walk->depth].insert = insert;
		walk->steps[walk->depth].key = NULL;
		walk->steps[walk->depth].keylen = 0;
		result = jb_rewrite(c->doc, walk->steps, walk->depth + 1, NULL, 0,
							jb_leaf_value, element, element->len);
	}
	PG_FREE_IF_COPY(c->doc, 0);
	PG_RETURN_JSONB_P(result);
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
	ArrayCall	c;
	Jsonb	   *updates;
	JbValue		updatesval;
	ArrayEdits	edits;
	JbMergePlan *plan;
	int			index;

	if (!where_args(fcinfo, 5, true, &c))
		return unchanged(fcinfo);
	updates = jb_object_arg(fcinfo, 4, "updates", &updatesval);

	if (find_array(fcinfo, &c) == NULL)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	index = jb_array_find(c.arr, 0, c.key, c.keylen, &c.match);
	if (index < 0 ||
		(plan = plan_element_merge(c.arr, index, &updates->root)) == NULL)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	edits_init(&edits, c.arr);
	edits_add(&edits, index, plan);
	return edit_array(fcinfo, &c, &edits, VARSIZE(updates));
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
	ArrayCall	c;
	JbValue		newelem;
	int			index;

	if (!where_args(fcinfo, 5, true, &c))
		return unchanged(fcinfo);
	jb_object_arg(fcinfo, 4, "element", &newelem);

	if (find_array(fcinfo, &c) == NULL)
		return put_element(fcinfo, &c, 0, false, &newelem);
	index = jb_array_find(c.arr, 0, c.key, c.keylen, &c.match);
	if (index < 0)
		return put_element(fcinfo, &c, JsonContainerSize(c.arr), true,
						   &newelem);
	{
		JbValue		old;

		jb_child(c.arr, index, &old);
		if (jb_values_identical(&old, &newelem))
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	return put_element(fcinfo, &c, index, false, &newelem);
}

/*
 * jsonb_array_delete_where(target, array_path, match_key, match_value):
 * remove every object of the array at array_path whose match_key equals
 * match_value.
 */
PG_FUNCTION_INFO_V1(jsonb_array_delete_where);
Datum
jsonb_array_delete_where(PG_FUNCTION_ARGS)
{
	ArrayCall	c;
	ArrayEdits	edits;
	int			index = -1;

	if (!where_args(fcinfo, 4, true, &c))
		return unchanged(fcinfo);

	if (find_array(fcinfo, &c) == NULL)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	edits_init(&edits, c.arr);
	while ((index = jb_array_find(c.arr, index + 1, c.key, c.keylen,
								  &c.match)) >= 0)
		edits_add(&edits, index, NULL);
	if (edits.nedits == 0)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	return edit_array(fcinfo, &c, &edits, 0);
}

/*
 * Order of an element's sort key against the new element's, for a sorted
 * insert: jsonb's ordering, a missing key (or an element that is not an
 * object) sorting after every value, as NULL does in ORDER BY.
 */
static int
sort_key_cmp(const JbValue *elem, const char *key, uint32 keylen,
			 const JbValue *newkey)
{
	JbValue		elemkey;
	bool		has_elem = JbValueIsObject(elem) &&
		jb_object_get(JbValueContainer(elem), key, keylen, &elemkey);

	if (!has_elem)
		return newkey == NULL ? 0 : 1;
	if (newkey == NULL)
		return -1;
	return jb_values_compare(&elemkey, newkey);
}

/*
 * jsonb_array_insert_where(target, array_path, element, sort_key,
 * descending): insert element into the array at array_path before the
 * first element that sorts after it by sort_key (so after the equal ones),
 * or append it when sort_key is NULL.  A missing array is created.
 */
PG_FUNCTION_INFO_V1(jsonb_array_insert_where);
Datum
jsonb_array_insert_where(PG_FUNCTION_ARGS)
{
	ArrayCall	c;
	Jsonb	   *element;
	JbValue		newelem;
	text	   *key;
	bool		descending;
	JbValue		newkey;
	bool		has_newkey;
	JbCursor	cur;
	int			n;
	int			index;

	jb_require_arg(fcinfo, 1, "array_path");
	jb_require_arg(fcinfo, 4, "descending");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		return unchanged(fcinfo);
	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(1), &c.path);
	element = jb_object_arg(fcinfo, 2, "element", &newelem);

	if (find_array(fcinfo, &c) == NULL)
		return put_element(fcinfo, &c, 0, true, &newelem);
	n = JsonContainerSize(c.arr);
	if (PG_ARGISNULL(3))
		return put_element(fcinfo, &c, n, true, &newelem);

	key = PG_GETARG_TEXT_PP(3);
	descending = PG_GETARG_BOOL(4);
	has_newkey = jb_object_get(&element->root, VARDATA_ANY(key),
							   VARSIZE_ANY_EXHDR(key), &newkey);
	jb_cursor_init(&cur, c.arr, 0);
	for (index = 0; index < n; index++)
	{
		JbValue		elem;
		int			cmp;

		CHECK_FOR_INTERRUPTS();
		jb_cursor_next(&cur, &elem);
		cmp = sort_key_cmp(&elem, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
						   has_newkey ? &newkey : NULL);
		if (descending ? cmp < 0 : cmp > 0)
			break;
	}
	return put_element(fcinfo, &c, index, true, &newelem);
}

/*
 * The patches of a batch update by their match_key value: an open-addressing
 * hash table of patch numbers, hashed and compared with jsonb equality.
 * Patches with equal key values are combined in order (later ones win).
 */
typedef struct PatchTable
{
	int			npatches;
	JbValue    *keys;			/* each patch's match_key value */
	JbValue    *patches;		/* each patch, an object */
	uint32	   *hashes;
	int		   *slots;			/* patch number + 1, 0 = empty */
	uint32		mask;
} PatchTable;

static int
patch_table_lookup(const PatchTable *t, const JbValue *key, uint32 hash)
{
	uint32		pos = hash & t->mask;

	for (;;)
	{
		int			p = t->slots[pos] - 1;

		if (p < 0)
			return -1;
		if (t->hashes[p] == hash && jb_values_equal(&t->keys[p], key))
			return p;
		pos = (pos + 1) & t->mask;
	}
}

static void
patch_table_build(PatchTable *t, const JsonbContainer *patches,
				  const char *key, uint32 keylen)
{
	int			n = JsonContainerSize(patches);
	uint32		size = 8;
	JbCursor	cur;
	int			i;

	while (size < (uint32) n * 2)
		size *= 2;
	jb_check_alloc(n, sizeof(JbValue), "patches");
	t->npatches = 0;
	t->keys = palloc(sizeof(JbValue) * Max(n, 1));
	t->patches = palloc(sizeof(JbValue) * Max(n, 1));
	t->hashes = palloc(sizeof(uint32) * Max(n, 1));
	t->slots = palloc0(sizeof(int) * size);
	t->mask = size - 1;

	jb_cursor_init(&cur, patches, 0);
	for (i = 0; i < n; i++)
	{
		JbValue		patch;
		JbValue		keyval;
		uint32		hash;
		int			p;

		CHECK_FOR_INTERRUPTS();
		jb_cursor_next(&cur, &patch);
		if (!JbValueIsObject(&patch))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("patch %d is not an object", i + 1),
					 errdetail("Every element of patches must be an object; this one is of type %s.",
							   jb_type_name(&patch))));
		if (!jb_object_get(JbValueContainer(&patch), key, keylen, &keyval))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("patch %d has no key \"%.*s\"", i + 1,
							(int) Min(keylen, 64), key),
					 errdetail("Every patch must carry the match_key value of the elements it updates.")));

		hash = jb_value_hash(&keyval);
		p = patch_table_lookup(t, &keyval, hash);
		if (p >= 0)
		{
			/* the same key again: one patch, the later values winning */
			JbMergePlan plan;
			JbWriter	w;

			Jsonb	   *combined;

			jb_merge_plan(JbValueContainer(&t->patches[p]),
						  JbValueContainer(&patch), &plan);
			jbw_init(&w, t->patches[p].len + patch.len + 64);
			jbw_merged_object(&w, &plan);
			combined = jbw_finish(&w);
			jb_root_value(combined, &t->patches[p]);
			continue;
		}
		p = t->npatches++;
		t->keys[p] = keyval;
		t->patches[p] = patch;
		t->hashes[p] = hash;
		{
			uint32		pos = hash & t->mask;

			Assert((uint32) t->npatches <= t->mask);
			while (t->slots[pos] != 0)
				pos = (pos + 1) & t->mask;
			t->slots[pos] = p + 1;
		}
	}
}

/*
 * jsonb_array_update_where_batch(target, array_path, match_key, patches):
 * shallow-merge every object of the array at array_path whose match_key
 * equals that of one of the patches with that patch, in one pass over the
 * array and one rewrite of the document.
 */
PG_FUNCTION_INFO_V1(jsonb_array_update_where_batch);
Datum
jsonb_array_update_where_batch(PG_FUNCTION_ARGS)
{
	ArrayCall	c;
	Jsonb	   *patches;
	JbValue		patchesval;
	PatchTable	table;
	ArrayEdits	edits;
	JbCursor	cur;
	int			n;
	int			i;

	if (!where_args(fcinfo, 4, false, &c))
		return unchanged(fcinfo);
	patches = PG_GETARG_JSONB_P(3);
	jb_root_value(patches, &patchesval);
	if (!JbValueIsArray(&patchesval))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("patches must be a jsonb array"),
				 errdetail("The value given is of type %s.",
						   jb_type_name(&patchesval))));
	patch_table_build(&table, JbValueContainer(&patchesval), c.key, c.keylen);

	/* the path is validated even when there is nothing to patch */
	if (find_array(fcinfo, &c) == NULL || table.npatches == 0)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	n = JsonContainerSize(c.arr);
	edits_init(&edits, c.arr);
	jb_cursor_init(&cur, c.arr, 0);
	for (i = 0; i < n; i++)
	{
		JbValue		elem;
		JbValue		val;
		int			p;
		JbMergePlan *plan;

		CHECK_FOR_INTERRUPTS();
		jb_cursor_next(&cur, &elem);
		if (!JbValueIsObject(&elem) ||
			!jb_object_get(JbValueContainer(&elem), c.key, c.keylen, &val))
			continue;
		p = patch_table_lookup(&table, &val, jb_value_hash(&val));
		if (p < 0 ||
			(plan = plan_element_merge(c.arr, i,
									   JbValueContainer(&table.patches[p]))) == NULL)
			continue;
		edits_add(&edits, i, plan);
	}
	if (edits.nedits == 0)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	return edit_array(fcinfo, &c, &edits, VARSIZE(patches));
}
