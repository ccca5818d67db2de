/*-------------------------------------------------------------------------
 *
 * jsonb_splice.c
 *	  The jsonb binary format: reading containers in place, comparing values
 *	  without deserializing them, and the splice writer that builds a new
 *	  jsonb by copying untouched children as raw bytes.
 *
 * Layout reminder (utils/jsonb.h): a container is a uint32 header (count and
 * flags), then one JEntry per child (for an object: all keys, then all
 * values), then the children's data in the same order.  Every
 * JB_OFFSET_STRIDE'th JEntry stores the end offset of its child, the others
 * its length.  Numerics and containers are preceded by zero padding up to a
 * 4-byte boundary, counted in their length; since every data area starts
 * 4-byte aligned, a child's bytes do not depend on where its container sits.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "jsonb_ivm.h"

/*
 * The root of a jsonb as a value.  A raw scalar ('5'::jsonb, stored as a
 * one-element pseudo-array) is unwrapped to the scalar itself.
 */
void
jb_root_value(const Jsonb *jb, JbValue *v)
{
	const JsonbContainer *root = &jb->root;

	if (JsonContainerIsScalar(root))
		jb_child(root, 0, v);
	else
	{
		v->type = JENTRY_ISCONTAINER;
		v->data = (const char *) root;
		v->len = VARSIZE(jb) - VARHDRSZ;
	}
}

/* Child number index (a JEntry index: object values start at count). */
void
jb_child(const JsonbContainer *c, int index, JbValue *v)
{
	uint32		off;
	uint32		len;

	Assert(index >= 0 && index < jb_nentries(c));
	off = getJsonbOffset(c, index);
	len = getJsonbLength(c, index);
	jb_fill_value(c->children[index] & JENTRY_TYPEMASK, jb_data_base(c),
				  off, len, v);
}

/*
 * Binary search for a key in an object.  Returns the pair index of the key
 * and sets *found, or returns the index at which the key would be inserted.
 */
int
jb_find_key(const JsonbContainer *obj, const char *key, uint32 keylen,
			bool *found)
{
	const char *base = jb_data_base(obj);
	int			lo = 0;
	int			hi = JsonContainerSize(obj);

	Assert(JsonContainerIsObject(obj));
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		uint32		off = getJsonbOffset(obj, mid);
		uint32		len = getJsonbLength(obj, mid);
		int			cmp = jb_key_cmp(base + off, len, key, keylen);

		if (cmp == 0)
		{
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Bytewise equality, inlined for the short keys and numbers that dominate. */
static inline bool
jb_bytes_eq(const char *a, const char *b, uint32 len)
{
	if (len <= 16)
	{
		uint32		i;

		for (i = 0; i < len; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	return memcmp(a, b, len) == 0;
}

/*
 * Look up a key in an object and set *val to its value, or return false.
 * Objects of up to JB_OFFSET_STRIDE pairs, the elements of a typical
 * projection array, are scanned front to back: their JEntries are read once,
 * with no offset searches.  Larger ones use the binary search.
 */
bool
jb_object_get(const JsonbContainer *obj, const char *key, uint32 keylen,
			  JbValue *val)
{
	int			n = JsonContainerSize(obj);
	const JEntry *ents = obj->children;
	const char *base = (const char *) &ents[2 * n];
	uint32		off = 0;
	int			i;

	Assert(JsonContainerIsObject(obj));
	if (n > JB_OFFSET_STRIDE)
	{
		bool		found;
		int			k = jb_find_key(obj, key, keylen, &found);

		if (found)
			jb_child(obj, n + k, val);
		return found;
	}

	for (i = 0; i < n; i++)
	{
		uint32		start = off;
		uint32		len;

		JBE_ADVANCE_OFFSET(off, ents[i]);
		len = off - start;
		if (len == keylen && jb_bytes_eq(base + start, key, keylen))
			break;
		if (len > keylen)
			return false;		/* keys are sorted by length first */
	}
	if (i == n)
		return false;

	/* walk on to the value: entries i + 1 .. n + i - 1 lie between */
	{
		int			j;
		uint32		start;

		for (j = i + 1; j < n + i; j++)
			JBE_ADVANCE_OFFSET(off, ents[j]);
		start = off;
		JBE_ADVANCE_OFFSET(off, ents[n + i]);
		jb_fill_value(ents[n + i] & JENTRY_TYPEMASK, base, start, off - start,
					  val);
	}
	return true;
}

/*
 * Index of the first element from index from on that is an object whose
 * value at key equals match under jsonb equality, or -1.  Other elements
 * are skipped.
 */
int
jb_array_find(const JsonbContainer *arr, int from, const char *key,
			  uint32 keylen, const JbValue *match)
{
	int			n = JsonContainerSize(arr);
	JbCursor	cur;
	int			i;

	Assert(JsonContainerIsArray(arr) && from >= 0);
	if (from >= n)
		return -1;
	jb_cursor_init(&cur, arr, from);
	for (i = from; i < n; i++)
	{
		JbValue		elem;
		JbValue		val;

		CHECK_FOR_INTERRUPTS();
		jb_cursor_next(&cur, &elem);
		if (JbValueIsObject(&elem) &&
			jb_object_get(JbValueContainer(&elem), key, keylen, &val) &&
			jb_values_equal(&val, match))
			return i;
	}
	return -1;
}

/* Same type and the same bytes: the values print identically. */
bool
jb_values_identical(const JbValue *a, const JbValue *b)
{
	return a->type == b->type && a->len == b->len &&
		memcmp(a->data, b->data, a->len) == 0;
}

static bool jb_containers_equal(const JsonbContainer *a,
								const JsonbContainer *b);

/*
 * The parts of a stored numeric that decide its value: sign, weight and
 * base-10000 digits without leading or trailing zeros (the display scale
 * only decides how it prints).  This reads numeric's on-disk format (the
 * NUMERIC_* bits in jsonb_ivm.h): a 4-byte varlena header, then either a
 * short header (NUMERIC_SHORT, with sign and weight in it) or a long one
 * (sign, then an int16 weight), then the digits.  Zeros are stripped as
 * hash_numeric strips them, without trusting that they were.  Returns false
 * for what it does not handle (NaN, infinities, other headers); the caller
 * then asks numeric_eq.
 */
typedef struct JbNumericKey
{
	int			sign;
	int			weight;
	const char *digits;
	int			ndigits;
} JbNumericKey;

static inline bool
jb_numeric_key(const char *data, uint32 len, JbNumericKey *k)
{
	uint16		header;
	int			hdrsize;
	uint16		digit;

	if (len < NUMERIC_HDRSZ_SHORT || !VARATT_IS_4B_U(data) ||
		VARSIZE(data) != len)
		return false;
	memcpy(&header, data + VARHDRSZ, sizeof(uint16));
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
		return false;			/* NaN or an infinity */
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SHORT)
	{
		k->sign = (header & NUMERIC_SHORT_SIGN_MASK) ? 1 : 0;
		k->weight = ((header & NUMERIC_SHORT_WEIGHT_SIGN_MASK) ?
					 ~NUMERIC_SHORT_WEIGHT_MASK : 0) |
			(header & NUMERIC_SHORT_WEIGHT_MASK);
		hdrsize = NUMERIC_HDRSZ_SHORT;
	}
	else
	{
		int16		weight;

		if (len < NUMERIC_HDRSZ)
			return false;
		memcpy(&weight, data + NUMERIC_HDRSZ_SHORT, sizeof(int16));
		k->sign = ((header & NUMERIC_SIGN_MASK) == NUMERIC_NEG) ? 1 : 0;
		k->weight = weight;
		hdrsize = NUMERIC_HDRSZ;
	}
	k->digits = data + hdrsize;
	k->ndigits = (len - hdrsize) / sizeof(uint16);

	while (k->ndigits > 0)
	{
		memcpy(&digit, k->digits, sizeof(uint16));
		if (digit != 0)
			break;
		k->digits += sizeof(uint16);
		k->ndigits--;
		k->weight--;
	}
	while (k->ndigits > 0)
	{
		memcpy(&digit, k->digits + (k->ndigits - 1) * sizeof(uint16),
			   sizeof(uint16));
		if (digit != 0)
			break;
		k->ndigits--;
	}
	if (k->ndigits == 0)
		k->sign = k->weight = 0;	/* zero, whatever its sign */
	return true;
}

/*
 * A short-format numeric in canonical form, its first and last base-10000
 * digits nonzero, as numeric.c builds every nonzero value that fits: then
 * flag, sign and weight (the header without the display scale) and the
 * digits decide its value.  Sets *header.
 */
static inline bool
jb_numeric_short_canonical(const char *data, uint32 len, uint16 *header)
{
	uint16		first,
				last;

	if (len < NUMERIC_HDRSZ_SHORT + sizeof(uint16) ||
		len % sizeof(uint16) != 0 ||
		!VARATT_IS_4B_U(data) || VARSIZE(data) != len)
		return false;
	memcpy(header, data + VARHDRSZ, sizeof(uint16));
	if ((*header & NUMERIC_SIGN_MASK) != NUMERIC_SHORT)
		return false;
	memcpy(&first, data + NUMERIC_HDRSZ_SHORT, sizeof(uint16));
	memcpy(&last, data + len - sizeof(uint16), sizeof(uint16));
	return first != 0 && last != 0;
}

/* Numeric equality by value: 42 = 42.0 = 42.00. */
static bool
jb_numerics_equal(const JbValue *a, const JbValue *b)
{
	JbNumericKey ka,
				kb;
	uint16		ha,
				hb;

	Assert(a->type == JENTRY_ISNUMERIC && b->type == JENTRY_ISNUMERIC);
	if (a->len == b->len && jb_bytes_eq(a->data, b->data, a->len))
		return true;

	/*
	 * The common case, two different small integers (the ids a projection
	 * array is searched by): compare the short headers without the display
	 * scale, then the digits.
	 */
	if (jb_numeric_short_canonical(a->data, a->len, &ha) &&
		jb_numeric_short_canonical(b->data, b->len, &hb))
	{
		if (a->len != b->len ||
			(ha & ~NUMERIC_SHORT_DSCALE_MASK) !=
			(hb & ~NUMERIC_SHORT_DSCALE_MASK))
			return false;
		if (ha == hb)
			return false;		/* same header and length: the digits differ */
		return jb_bytes_eq(a->data + NUMERIC_HDRSZ_SHORT,
						   b->data + NUMERIC_HDRSZ_SHORT,
						   a->len - NUMERIC_HDRSZ_SHORT);
	}
	if (jb_numeric_key(a->data, a->len, &ka) &&
		jb_numeric_key(b->data, b->len, &kb))
		return ka.sign == kb.sign && ka.weight == kb.weight &&
			ka.ndigits == kb.ndigits &&
			memcmp(ka.digits, kb.digits, ka.ndigits * sizeof(uint16)) == 0;
	return DatumGetBool(DirectFunctionCall2(numeric_eq,
											PointerGetDatum(a->data),
											PointerGetDatum(b->data)));
}


/*
 * jsonb equality, as the = operator: numbers compare by value (42 = 42.0),
 * strings bytewise (the default collation is deterministic), containers
 * deeply.
 */
bool
jb_values_equal(const JbValue *a, const JbValue *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case JENTRY_ISSTRING:
			return a->len == b->len && jb_bytes_eq(a->data, b->data, a->len);
		case JENTRY_ISNUMERIC:
			return jb_numerics_equal(a, b);
		case JENTRY_ISCONTAINER:
			if (a->len == b->len && memcmp(a->data, b->data, a->len) == 0)
				return true;
			return jb_containers_equal(JbValueContainer(a),
									   JbValueContainer(b));
		default:
			/* null, true, false: the type says it all */
			return true;
	}
}

/*
 * Deep equality of two containers that are not bytewise identical.  Keys of
 * equal objects are identical and in the same order, since jsonb sorts them.
 */
static bool
jb_containers_equal(const JsonbContainer *a, const JsonbContainer *b)
{
	int			n = jb_nentries(a);
	JbCursor	ca,
				cb;
	int			i;

	check_stack_depth();
	if (a->header != b->header)
		return false;

	jb_cursor_init(&ca, a, 0);
	jb_cursor_init(&cb, b, 0);
	for (i = 0; i < n; i++)
	{
		JbValue		va,
					vb;

		CHECK_FOR_INTERRUPTS();
		jb_cursor_next(&ca, &va);
		jb_cursor_next(&cb, &vb);
		if (!jb_values_equal(&va, &vb))
			return false;
	}
	return true;
}

/*
 * Rank of a scalar type in jsonb's ordering: null < string < number <
 * boolean, then arrays, then objects (the order of enum jbvType).
 */
static int
jb_scalar_rank(uint32 type)
{
	switch (type)
	{
		case JENTRY_ISNULL:
			return 0;
		case JENTRY_ISSTRING:
			return 1;
		case JENTRY_ISNUMERIC:
			return 2;
		default:
			return 3;			/* true, false */
	}
}

/*
 * The order of a scalar against container c, as compareJsonbContainers
 * orders the scalar stored as a root (a raw scalar: a one-element pseudo
 * array) against c.  The scalar sorts before every object.  Against an
 * array, the element counts decide: before every non-empty array, after
 * the empty one.  Core keeps this order as it is, btree indexes on jsonb
 * depending on it ("an empty top level array sorts less than null").
 */
static int
jb_scalar_container_cmp(const JsonbContainer *c)
{
	Assert(!JsonContainerIsScalar(c));
	if (JsonContainerIsArray(c) && JsonContainerSize(c) == 0)
		return 1;
	return -1;
}

/*
 * jsonb's btree ordering of two values (as jsonb_cmp orders them): -1, 0
 * or 1.  Scalars are compared here, a scalar against a container by
 * jb_scalar_container_cmp, two containers by core's compareJsonbContainers.
 */
int
jb_values_compare(const JbValue *a, const JbValue *b)
{
	int			res;

	if (a->type != JENTRY_ISCONTAINER && b->type != JENTRY_ISCONTAINER)
	{
		int			ra = jb_scalar_rank(a->type);
		int			rb = jb_scalar_rank(b->type);

		if (ra != rb)
			return ra < rb ? -1 : 1;
		switch (a->type)
		{
			case JENTRY_ISSTRING:
				res = varstr_cmp(a->data, a->len, b->data, b->len,
								 DEFAULT_COLLATION_OID);
				break;
			case JENTRY_ISNUMERIC:
				if (jb_numerics_equal(a, b))
					return 0;
				res = DatumGetInt32(DirectFunctionCall2(numeric_cmp,
														PointerGetDatum(a->data),
														PointerGetDatum(b->data)));
				break;
			case JENTRY_ISNULL:
				return 0;
			default:
				/* booleans: false < true */
				if (a->type == b->type)
					return 0;
				return a->type == JENTRY_ISBOOL_FALSE ? -1 : 1;
		}
	}
	else if (a->type != JENTRY_ISCONTAINER)
		return jb_scalar_container_cmp(JbValueContainer(b));
	else if (b->type != JENTRY_ISCONTAINER)
		return -jb_scalar_container_cmp(JbValueContainer(a));
	else
		res = compareJsonbContainers((JsonbContainer *) a->data,
									 (JsonbContainer *) b->data);
	return (res > 0) - (res < 0);
}

/*
 * A hash of a value consistent with jb_values_equal: equal values (42 and
 * 42.0, objects with the same pairs) hash alike.
 */
uint32
jb_value_hash(const JbValue *v)
{
	switch (v->type)
	{
		case JENTRY_ISSTRING:
			return hash_bytes((const unsigned char *) v->data, v->len);
		case JENTRY_ISNUMERIC:
			{
				JbNumericKey k;
				uint32		h;

				if (!jb_numeric_key(v->data, v->len, &k))
					return DatumGetUInt32(DirectFunctionCall1(hash_numeric,
															  PointerGetDatum(v->data)));
				h = hash_bytes((const unsigned char *) k.digits,
							   k.ndigits * sizeof(uint16));
				h = hash_combine(h, hash_bytes_uint32((uint32) k.weight));
				return hash_combine(h, (uint32) k.sign + 0x5bd1e995);
			}
		case JENTRY_ISCONTAINER:
			{
				const JsonbContainer *c = JbValueContainer(v);
				int			n = jb_nentries(c);
				uint32		h = hash_bytes_uint32(c->header);
				JbCursor	cur;
				int			i;

				check_stack_depth();
				jb_cursor_init(&cur, c, 0);
				for (i = 0; i < n; i++)
				{
					JbValue		child;

					CHECK_FOR_INTERRUPTS();
					jb_cursor_next(&cur, &child);
					h = hash_combine(h, jb_value_hash(&child));
				}
				return h;
			}
		default:
			return hash_bytes_uint32(v->type);
	}
}

/* The jsonb_typeof() name of a value. */
const char *
jb_type_name(const JbValue *v)
{
	switch (v->type)
	{
		case JENTRY_ISSTRING:
			return "string";
		case JENTRY_ISNUMERIC:
			return "number";
		case JENTRY_ISBOOL_TRUE:
		case JENTRY_ISBOOL_FALSE:
			return "boolean";
		case JENTRY_ISNULL:
			return "null";
		default:
			return JbValueIsObject(v) ? "object" : "array";
	}
}

/*
 * ----------------------------------------------------------------
 * The splice writer
 * ----------------------------------------------------------------
 */

/*
 * Start a writer whose result is expected to take about size_hint bytes.
 * The buffer is allocated at that size, not rounded up to a power of two,
 * so that a good estimate costs no memory beyond the result itself.
 */
void
jbw_init(JbWriter *w, Size size_hint)
{
	Size		size = Min(size_hint + VARHDRSZ + 1, MaxAllocSize);

	w->buf.data = palloc(size);
	w->buf.maxlen = size;
	w->buf.len = VARHDRSZ;		/* room for the varlena header */
	w->buf.cursor = 0;
	w->maxdepth = 8;
	w->frames = palloc(sizeof(JbFrame) * w->maxdepth);
	w->depth = 0;
}

/*
 * Room for len more bytes.  The buffer is sized for the whole result up
 * front, so the call into enlargeStringInfo (which also enforces
 * MaxAllocSize) is the exception.
 */
static inline void
jbw_reserve(JbWriter *w, Size len)
{
	if ((Size) w->buf.maxlen - w->buf.len <= len)
		enlargeStringInfo(&w->buf, len);
}

/* Append zero bytes up to a 4-byte boundary. */
static inline void
jbw_pad(JbWriter *w)
{
	int			padlen = INTALIGN(w->buf.len) - w->buf.len;

	if (padlen > 0)
	{
		jbw_reserve(w, padlen);
		memset(w->buf.data + w->buf.len, 0, padlen);
		w->buf.len += padlen;
	}
}

static inline void
jbw_append(JbWriter *w, const char *data, uint32 len)
{
	jbw_reserve(w, len);
	memcpy(w->buf.data + w->buf.len, data, len);
	w->buf.len += len;
}

/* A container's data outgrew what a JEntry can address; core's wording. */
static void
jbw_size_error(const JbFrame *f)
{
	if (f->object)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb object elements exceeds the maximum of %d bytes",
						JENTRY_OFFLENMASK)));
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("total size of jsonb array elements exceeds the maximum of %d bytes",
					JENTRY_OFFLENMASK)));
}

/*
 * Record the JEntry of the child that started at buffer offset start and
 * ends at the current end of the buffer.
 */
static inline void
jbw_entry(JbWriter *w, uint32 type, int start)
{
	JbFrame    *f = &w->frames[w->depth - 1];
	uint32		end = w->buf.len - f->data;
	JEntry		je;

	Assert(w->depth > 0 && start >= f->data && start <= w->buf.len);
	if (end > JENTRY_OFFLENMASK)
		jbw_size_error(f);
	if (f->next >= f->nentries)
		elog(ERROR, "too many children written to a container");
	if (f->next % JB_OFFSET_STRIDE == 0)
		je = type | JENTRY_HAS_OFF | end;
	else
		je = type | (uint32) (w->buf.len - start);
	memcpy(w->buf.data + f->jentries + f->next * sizeof(JEntry), &je,
		   sizeof(JEntry));
	f->next++;
}

/*
 * Open a container with count children (pairs, for an object) as the next
 * child of the open container, or as the root.
 */
void
jbw_open(JbWriter *w, uint32 flags, uint32 count)
{
	bool		object = (flags & JB_FOBJECT) != 0;
	Size		nentries = object ? (Size) count * 2 : count;
	Size		maxcount;
	JbFrame    *f;
	uint32		header;

	Assert(object != ((flags & JB_FARRAY) != 0));
	Assert(w->depth > 0 || w->buf.len == VARHDRSZ);

	/* the count must fit the header, and the JEntries one allocation */
	maxcount = Min((Size) JB_CMASK,
				   MaxAllocSize / (sizeof(JEntry) * (object ? 2 : 1)));
	if (count > maxcount)
	{
		if (object)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("number of jsonb object pairs exceeds the maximum allowed (%zu)",
							maxcount)));
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of jsonb array elements exceeds the maximum allowed (%zu)",
						maxcount)));
	}

	if (w->depth == w->maxdepth)
	{
		w->maxdepth *= 2;
		w->frames = repalloc(w->frames, sizeof(JbFrame) * w->maxdepth);
	}
	f = &w->frames[w->depth];
	f->start = w->buf.len;
	jbw_pad(w);
	header = count | flags;
	jbw_append(w, (const char *) &header, sizeof(header));
	f->jentries = w->buf.len;
	jbw_reserve(w, nentries * sizeof(JEntry));
	w->buf.len += nentries * sizeof(JEntry);
	f->data = w->buf.len;
	f->nentries = nentries;
	f->next = 0;
	f->object = object;
	w->depth++;
}

/* Close the innermost open container and record it in its parent. */
void
jbw_close(JbWriter *w)
{
	JbFrame    *f;

	Assert(w->depth > 0);
	f = &w->frames[w->depth - 1];
	if (f->next != f->nentries)
		elog(ERROR, "container closed with %d of %d children",
			 f->next, f->nentries);
	w->depth--;
	if (w->depth > 0)
		jbw_entry(w, JENTRY_ISCONTAINER, f->start);
}

/*
 * Append one value as the next child of the open container.  With no open
 * container it becomes the root (a scalar one wrapped as a raw scalar).
 */
void
jbw_value(JbWriter *w, const JbValue *v)
{
	int			start = w->buf.len;

	if (w->depth == 0)
	{
		Assert(w->buf.len == VARHDRSZ);
		if (v->type == JENTRY_ISCONTAINER)
			jbw_append(w, v->data, v->len);
		else
		{
			jbw_open(w, JB_FARRAY | JB_FSCALAR, 1);
			jbw_value(w, v);
			jbw_close(w);
		}
		return;
	}
	if (v->type == JENTRY_ISNUMERIC || v->type == JENTRY_ISCONTAINER)
		jbw_pad(w);
	jbw_append(w, v->data, v->len);
	jbw_entry(w, v->type, start);
}

/* Append an object key. */
void
jbw_key(JbWriter *w, const char *key, uint32 keylen)
{
	JbValue		v;

	Assert(w->depth > 0 && w->frames[w->depth - 1].object);
	Assert(w->frames[w->depth - 1].next < w->frames[w->depth - 1].nentries / 2);
	v.type = JENTRY_ISSTRING;
	v.data = key;
	v.len = keylen;
	jbw_value(w, &v);
}

/*
 * Append children [from, to) of container c (JEntry indexes) unchanged.
 *
 * Once the output and the source agree on alignment (their positions are
 * equal modulo 4), every padding byte stays where it was, so the rest of the
 * run is one memcpy plus recomputed JEntries.  Before that, children are
 * copied one at a time; the first numeric or container re-aligns them.
 */
void
jbw_children(JbWriter *w, const JsonbContainer *c, int from, int to)
{
	JbFrame    *f = &w->frames[w->depth - 1];
	JbCursor	cur;
	uint32		src_start;
	uint32		out_start;
	int			i;

	Assert(w->depth > 0 && from >= 0 && to <= jb_nentries(c));
	if (from >= to)
		return;
	jb_cursor_init(&cur, c, from);

	while (cur.i < to && ((w->buf.len - f->data - cur.off) & 3) != 0)
	{
		JbValue		v;

		jb_cursor_next(&cur, &v);
		jbw_value(w, &v);
	}
	if (cur.i >= to)
		return;

	/*
	 * Aligned: the JEntries, as lengths or as shifted end offsets, then the
	 * bytes of the whole run at once.
	 */
	src_start = cur.off;
	out_start = w->buf.len - f->data;
	if (f->next + (to - cur.i) > f->nentries)
		elog(ERROR, "too many children written to a container");
	{
		const JEntry *src = c->children;
		JEntry	   *dst = (JEntry *) (w->buf.data + f->jentries);
		uint32		next = f->next;
		uint32		off = cur.off;

		for (i = cur.i; i < to; i++, next++)
		{
			JEntry		je = src[i];
			uint32		start = off;

			JBE_ADVANCE_OFFSET(off, je);
			if (next % JB_OFFSET_STRIDE == 0)
			{
				uint64		out_end = (uint64) out_start + (off - src_start);

				if (out_end > JENTRY_OFFLENMASK)
					jbw_size_error(f);
				dst[next] = (je & JENTRY_TYPEMASK) | JENTRY_HAS_OFF | (uint32) out_end;
			}
			else
				dst[next] = (je & JENTRY_TYPEMASK) | (off - start);
		}
		if ((uint64) out_start + (off - src_start) > JENTRY_OFFLENMASK)
			jbw_size_error(f);
		f->next = next;
		cur.off = off;
	}
	jbw_append(w, cur.base + src_start, cur.off - src_start);
}

/* Finish the value: set the varlena header and hand over the buffer. */
Jsonb *
jbw_finish(JbWriter *w)
{
	if (w->depth != 0)
		elog(ERROR, "%d containers left open", w->depth);
	SET_VARSIZE(w->buf.data, w->buf.len);
	pfree(w->frames);
	return (Jsonb *) w->buf.data;
}

/*
 * ----------------------------------------------------------------
 * Shallow object merge
 * ----------------------------------------------------------------
 */

static inline void
jb_plan_add(JbMergePlan *plan, const JsonbContainer *src, int index)
{
	JbPairRun  *last = plan->nruns > 0 ? &plan->runs[plan->nruns - 1] : NULL;

	if (last && last->src == src && last->from + last->count == index)
		last->count++;
	else
	{
		last = &plan->runs[plan->nruns++];
		last->src = src;
		last->from = index;
		last->count = 1;
	}
	plan->npairs++;
}

/*
 * Plan a || b for two objects, with the semantics of jsonb's || operator:
 * all keys of both, b's value where both have the key, in jsonb key order.
 * plan->changed tells whether the result differs from a at all.
 */
void
jb_merge_plan(const JsonbContainer *a, const JsonbContainer *b,
			  JbMergePlan *plan)
{
	int			na = JsonContainerSize(a);
	int			nb = JsonContainerSize(b);
	JbKeyJoin	kj;
	JbValue		key;
	int			i;
	int			j;

	jb_check_alloc((Size) na + nb, sizeof(JbPairRun), "pairs to merge");
	plan->runs = palloc(sizeof(JbPairRun) * Max(na + nb, 1));
	plan->nruns = 0;
	plan->npairs = 0;
	plan->changed = false;

	jb_key_join_init(&kj, a, b);
	while (jb_key_join_next(&kj, &key, &i, &j))
	{
		CHECK_FOR_INTERRUPTS();
		if (j < 0)
			jb_plan_add(plan, a, i);
		else
		{
			jb_plan_add(plan, b, j);
			if (i < 0)
				plan->changed = true;
			else if (!plan->changed)
			{
				JbValue		va,
							vb;

				jb_child(a, na + i, &va);
				jb_child(b, nb + j, &vb);
				if (!jb_values_identical(&va, &vb))
					plan->changed = true;
			}
		}
	}
}

/* Write the object planned by jb_merge_plan as the next value. */
void
jbw_merged_object(JbWriter *w, const JbMergePlan *plan)
{
	int			r;

	jbw_open(w, JB_FOBJECT, plan->npairs);
	for (r = 0; r < plan->nruns; r++)
	{
		const JbPairRun *run = &plan->runs[r];

		jbw_children(w, run->src, run->from, run->from + run->count);
	}
	for (r = 0; r < plan->nruns; r++)
	{
		const JbPairRun *run = &plan->runs[r];
		int			n = JsonContainerSize(run->src);

		jbw_children(w, run->src, n + run->from, n + run->from + run->count);
	}
	jbw_close(w);
}
