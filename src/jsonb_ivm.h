/*-------------------------------------------------------------------------
 *
 * jsonb_ivm.h
 *	  The interface between the jsonb binary-format module (jsonb_splice.c,
 *	  path.c) and the SQL-callable function families (array_ops.c,
 *	  merge_ops.c, compare_ops.c).
 *
 * The format module reads JsonbContainers in place and writes new jsonb
 * values with a splice writer that copies untouched children as raw bytes;
 * the function families never see JEntries, offsets or padding.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSONB_IVM_H
#define JSONB_IVM_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "compat.h"

/*
 * One value inside a binary jsonb: its JEntry type (JENTRY_ISSTRING ...
 * JENTRY_ISCONTAINER) and its bytes without alignment padding.  For a
 * container, data points at a JsonbContainer that is never a raw scalar.
 */
typedef struct JbValue
{
	uint32		type;
	const char *data;
	uint32		len;
} JbValue;

#define JbValueContainer(v)	((const JsonbContainer *) (v)->data)
#define JbValueIsObject(v) \
	((v)->type == JENTRY_ISCONTAINER && \
	 JsonContainerIsObject(JbValueContainer(v)))
#define JbValueIsArray(v) \
	((v)->type == JENTRY_ISCONTAINER && \
	 JsonContainerIsArray(JbValueContainer(v)))

/*
 * The header bits of a stored numeric, named as numeric.c names them.  They
 * mirror numeric.c's on-disk format, which pg_upgrade keeps stable, and are
 * defined here because no header exports them.  NUMERIC_SPECIAL is NaN or,
 * from PostgreSQL 14, an infinity (13 calls it NUMERIC_NAN).
 */
#define NUMERIC_SIGN_MASK	0xC000
#define NUMERIC_NEG			0x4000
#define NUMERIC_SHORT		0x8000
#define NUMERIC_SPECIAL		0xC000

#define NUMERIC_SHORT_SIGN_MASK			0x2000
#define NUMERIC_SHORT_DSCALE_MASK		0x1F80
#define NUMERIC_SHORT_WEIGHT_SIGN_MASK	0x0040
#define NUMERIC_SHORT_WEIGHT_MASK		0x003F

#define NUMERIC_HDRSZ		(VARHDRSZ + sizeof(uint16) + sizeof(int16))
#define NUMERIC_HDRSZ_SHORT (VARHDRSZ + sizeof(uint16))

/* ---- reading (inline here, the rest in jsonb_splice.c) ---- */

/* Number of JEntries of a container: two per pair in an object. */
static inline int
jb_nentries(const JsonbContainer *c)
{
	int			n = JsonContainerSize(c);

	return JsonContainerIsObject(c) ? n * 2 : n;
}

/* Start of a container's data area. */
static inline const char *
jb_data_base(const JsonbContainer *c)
{
	return (const char *) &c->children[jb_nentries(c)];
}

/*
 * Fill *v from a JEntry type and the child's offset and length within its
 * container's data area, stripping the alignment padding.
 */
static inline void
jb_fill_value(uint32 type, const char *base, uint32 off, uint32 len,
			  JbValue *v)
{
	v->type = type;
	if (type == JENTRY_ISNUMERIC || type == JENTRY_ISCONTAINER)
	{
		uint32		pad = INTALIGN(off) - off;

		Assert(pad <= len);
		v->data = base + off + pad;
		v->len = len - pad;
	}
	else
	{
		v->data = base + off;
		v->len = len;
	}
}

/*
 * Sequential reader over the children of a container: keeps the running
 * offset so that each step costs one JEntry read.
 */
typedef struct JbCursor
{
	const JsonbContainer *c;
	const char *base;
	uint32		off;			/* start of child i */
	int			i;
} JbCursor;

static inline void
jb_cursor_init(JbCursor *cur, const JsonbContainer *c, int from)
{
	Assert(from >= 0 && from <= jb_nentries(c));
	cur->c = c;
	cur->base = jb_data_base(c);
	cur->off = from > 0 ? getJsonbOffset(c, from) : 0;
	cur->i = from;
}

static inline void
jb_cursor_next(JbCursor *cur, JbValue *v)
{
	JEntry		je;
	uint32		start = cur->off;

	Assert(cur->i < jb_nentries(cur->c));
	je = cur->c->children[cur->i];
	JBE_ADVANCE_OFFSET(cur->off, je);
	jb_fill_value(je & JENTRY_TYPEMASK, cur->base, start, cur->off - start, v);
	cur->i++;
}

/*
 * Read child index, at or after the cursor's position, and move past it.
 * The children in between cost one JEntry read each.
 */
static inline void
jb_cursor_read(JbCursor *cur, int index, JbValue *v)
{
	Assert(index >= cur->i && index < jb_nentries(cur->c));
	while (cur->i < index)
	{
		JBE_ADVANCE_OFFSET(cur->off, cur->c->children[cur->i]);
		cur->i++;
	}
	jb_cursor_next(cur, v);
}

/* jsonb's key order: shorter keys first, then bytewise. */
static inline int
jb_key_cmp(const char *a, uint32 alen, const char *b, uint32 blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

/*
 * A merge join over the keys of two objects: every key of either, once, in
 * jsonb key order.  a or b may be NULL, standing for an empty object.
 */
typedef struct JbKeyJoin
{
	JbCursor	ca,
				cb;
	JbValue		ka,				/* key ia of a, when ia < na */
				kb;				/* key ib of b, when ib < nb */
	int			ia,
				ib;
	int			na,
				nb;
} JbKeyJoin;

static inline void
jb_key_join_init(JbKeyJoin *kj, const JsonbContainer *a,
				 const JsonbContainer *b)
{
	Assert(a == NULL || JsonContainerIsObject(a));
	Assert(b == NULL || JsonContainerIsObject(b));
	memset(kj, 0, sizeof(JbKeyJoin));
	kj->na = a ? JsonContainerSize(a) : 0;
	kj->nb = b ? JsonContainerSize(b) : 0;
	if (kj->na > 0)
	{
		jb_cursor_init(&kj->ca, a, 0);
		jb_cursor_next(&kj->ca, &kj->ka);
	}
	if (kj->nb > 0)
	{
		jb_cursor_init(&kj->cb, b, 0);
		jb_cursor_next(&kj->cb, &kj->kb);
	}
}

/*
 * Step the join: set *key to the next key and *ia, *ib to its pair index in
 * a and in b, -1 on the side that lacks it.  Returns false at the end.
 */
static inline bool
jb_key_join_next(JbKeyJoin *kj, JbValue *key, int *ia, int *ib)
{
	int			cmp;

	if (kj->ia == kj->na && kj->ib == kj->nb)
		return false;
	if (kj->ia == kj->na)
		cmp = 1;
	else if (kj->ib == kj->nb)
		cmp = -1;
	else
		cmp = jb_key_cmp(kj->ka.data, kj->ka.len, kj->kb.data, kj->kb.len);

	*key = cmp < 0 ? kj->ka : kj->kb;
	*ia = cmp <= 0 ? kj->ia : -1;
	*ib = cmp >= 0 ? kj->ib : -1;
	if (cmp <= 0 && ++kj->ia < kj->na)
		jb_cursor_next(&kj->ca, &kj->ka);
	if (cmp >= 0 && ++kj->ib < kj->nb)
		jb_cursor_next(&kj->cb, &kj->kb);
	return true;
}


extern void jb_root_value(const Jsonb *jb, JbValue *v);
extern void jb_child(const JsonbContainer *c, int index, JbValue *v);
extern int	jb_find_key(const JsonbContainer *obj, const char *key,
						uint32 keylen, bool *found);
extern bool jb_object_get(const JsonbContainer *obj, const char *key,
						  uint32 keylen, JbValue *val);
extern int	jb_array_find(const JsonbContainer *arr, int from,
						  const char *key, uint32 keylen,
						  const JbValue *match);
extern bool jb_values_equal(const JbValue *a, const JbValue *b);
extern bool jb_values_identical(const JbValue *a, const JbValue *b);
extern int	jb_values_compare(const JbValue *a, const JbValue *b);
extern uint32 jb_value_hash(const JbValue *v);
extern const char *jb_type_name(const JbValue *v);

/* ---- writing (jsonb_splice.c) ---- */

/* One open container of the writer. */
typedef struct JbFrame
{
	int			start;			/* buffer offset of the child, before padding */
	int			jentries;		/* buffer offset of its JEntry array */
	int			data;			/* buffer offset of its data area */
	int			nentries;		/* JEntries reserved */
	int			next;			/* next JEntry to fill */
	bool		object;			/* an object, else an array */
} JbFrame;

/*
 * The splice writer: emits one jsonb value front to back into a single
 * buffer, the way core's convertJsonb does, but takes children as raw bytes
 * instead of JsonbValue trees.  Containers are opened and closed; every
 * child of an open container is added in JEntry order (for an object: all
 * keys, then all values).
 */
typedef struct JbWriter
{
	StringInfoData buf;
	JbFrame    *frames;
	int			depth;
	int			maxdepth;
} JbWriter;

extern void jbw_init(JbWriter *w, Size size_hint);
extern void jbw_open(JbWriter *w, uint32 flags, uint32 count);
extern void jbw_close(JbWriter *w);
extern void jbw_value(JbWriter *w, const JbValue *v);
extern void jbw_key(JbWriter *w, const char *key, uint32 keylen);
extern void jbw_children(JbWriter *w, const JsonbContainer *c,
						 int from, int to);
extern Jsonb *jbw_finish(JbWriter *w);

/*
 * The plan of a shallow object merge (a || b): runs of pairs taken from
 * a or b, in output order.  changed is false when b adds nothing new.
 */
typedef struct JbPairRun
{
	const JsonbContainer *src;
	int			from;
	int			count;
} JbPairRun;

typedef struct JbMergePlan
{
	JbPairRun  *runs;
	int			nruns;
	int			npairs;
	bool		changed;
} JbMergePlan;

extern void jb_merge_plan(const JsonbContainer *a, const JsonbContainer *b,
						  JbMergePlan *plan);
extern void jbw_merged_object(JbWriter *w, const JbMergePlan *plan);

/* ---- paths (path.c) ---- */

/* A path argument: text[] elements, deconstructed but not copied. */
typedef struct JbPath
{
	int			len;
	Datum	   *elems;
	bool	   *nulls;
} JbPath;

typedef enum JbWalkStatus
{
	JB_WALK_FOUND,				/* the whole path exists */
	JB_WALK_MISSING_KEY,		/* an object lacks the key at position depth */
	JB_WALK_OUT_OF_RANGE,		/* an array lacks the index at position depth */
	JB_WALK_SCALAR				/* a scalar sits at position depth */
} JbWalkStatus;

/* One container on the way down, and the edit to make there. */
typedef struct JbStep
{
	const JsonbContainer *container;
	int			index;			/* element index, or pair index in an object */
	bool		insert;			/* insert a new child at index, else replace */
	const char *key;			/* key of an inserted object pair */
	uint32		keylen;
} JbStep;

/*
 * Where a walk along a path ended.  steps[0 .. depth - 1] are the containers
 * passed through; on JB_WALK_MISSING_KEY, steps[depth - 1] is the insertion
 * of the missing key and path elements depth .. len - 1 are the rest to
 * create.  steps has room for one more step, for the caller's own edit.
 */
typedef struct JbWalk
{
	JbWalkStatus status;
	JbValue		value;			/* the value reached, for JB_WALK_FOUND */
	JbStep	   *steps;
	int			depth;
	int			stop;			/* 0-based path position where the walk stopped */
	int32		bad_index;		/* the index given, for JB_WALK_OUT_OF_RANGE */
} JbWalk;

extern void jb_path_for_write(ArrayType *arr, JbPath *path);
extern void jb_path_for_read(ArrayType *arr, JbPath *path);
extern void jb_walk(const Jsonb *doc, const JbPath *path, bool for_write,
					JbWalk *walk);
extern void jb_walk_require(const JbWalk *walk);
extern void jb_path_key(const JbPath *path, int pos, const char **key,
						uint32 *keylen);

typedef void (*JbLeafWriter) (JbWriter *w, void *arg);

extern void jb_leaf_value(JbWriter *w, void *arg);

extern Jsonb *jb_rewrite(const Jsonb *doc, const JbStep *steps, int nsteps,
						 const JbPath *create, int create_from,
						 JbLeafWriter leaf, void *arg, Size extra);

/* ---- argument and limit checks (jsonb_ivm.c) ---- */

extern void jb_require_arg(FunctionCallInfo fcinfo, int argno,
						   const char *name);
extern void jb_check_alloc(Size n, Size size, const char *what);
extern Jsonb *jb_object_arg(FunctionCallInfo fcinfo, int argno,
							const char *name, JbValue *root);

#endif							/* JSONB_IVM_H */
