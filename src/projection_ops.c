/*-------------------------------------------------------------------------
 *
 * projection_ops.c
 *	  SQL-callable functions for the code the projection engine generates:
 *	  replacing, removing and inserting array elements, the old ones found
 *	  by their exact stored value, the new ones placed at given indexes;
 *	  setting the value at a path; comparing rows across snapshots under
 *	  REPEATABLE READ and SERIALIZABLE; the trigger that refuses direct
 *	  writes to a projection; on Citus, the trigger that runs the generated
 *	  functions of a shard group.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

/* server headers of some versions have unused parameters (-Wextra) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#pragma GCC diagnostic pop

#include "jsonb_ivm.h"

/* Elements to remove and elements to insert in one array. */
typedef struct Splice
{
	const JsonbContainer *arr;
	bool	   *removed;		/* per old index */
	int			nremoved;
	int		   *at;				/* final indexes of the inserted, ascending */
	JbValue    *value;
	int			n;
} Splice;

/*
 * Leaf writer: the array without the removed elements, with the inserted
 * ones at their final indexes; the kept elements are copied in runs.  The
 * final indexes fit (checked by the callers), so every insertion is
 * reached before or just after the last kept element.
 */
static void
write_spliced_array(JbWriter *w, void *arg)
{
	Splice	   *sp = (Splice *) arg;
	int			len = JsonContainerSize(sp->arr);
	int			out = 0;
	int			i = 0;
	int			k = 0;

	jbw_open(w, JB_FARRAY, len - sp->nremoved + sp->n);
	while (i < len || k < sp->n)
	{
		int			start;

		CHECK_FOR_INTERRUPTS();
		if (k < sp->n && sp->at[k] == out)
		{
			jbw_value(w, &sp->value[k++]);
			out++;
			continue;
		}
		Assert(i < len);
		if (sp->removed[i])
		{
			i++;
			continue;
		}
		start = i;
		while (i < len && !sp->removed[i] && (k >= sp->n || out < sp->at[k]))
		{
			i++;
			out++;
		}
		jbw_children(w, sp->arr, start, i);
	}
	jbw_close(w);
}

/*
 * The array at the path in argument 1 of the document in argument 0, with
 * the document and the walk that found it; NULL when the path does not
 * lead to an array.
 */
static const JsonbContainer *
target_array(FunctionCallInfo fcinfo, Jsonb **doc, JbPath *path, JbWalk *walk)
{
	*doc = PG_GETARG_JSONB_P(0);
	jb_path_for_write(PG_GETARG_ARRAYTYPE_P(1), path);
	jb_walk(*doc, path, true, walk);
	if (walk->status != JB_WALK_FOUND || !JbValueIsArray(&walk->value))
		return NULL;
	return JbValueContainer(&walk->value);
}

/* doc with the array walk found spliced as sp says; extra sizes the buffer */
static Jsonb *
splice_array(const Jsonb *doc, const JbWalk *walk, Splice *sp, Size extra)
{
	return jb_rewrite(doc, walk->steps, walk->depth, NULL, 0,
					  write_spliced_array, sp, extra);
}

/*
 * The only index of arr whose element is stored exactly as v, or -1 when
 * there is none or more than one.
 */
static int
unique_identical(const JsonbContainer *arr, const JbValue *v)
{
	int			len = JsonContainerSize(arr);
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
	Splice		sp;
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
		JsonContainerSize(JbValueContainer(&olds)) !=
		JsonContainerSize(JbValueContainer(&news)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("olds and news must be jsonb arrays of the same length")));

	sp.arr = target_array(fcinfo, &doc, &path, &walk);
	if (sp.arr == NULL)
		PG_RETURN_NULL();

	n = JsonContainerSize(JbValueContainer(&olds));
	jb_check_alloc(n, sizeof(int) * 2 + sizeof(JbValue), "replacements");
	sp.removed = palloc0(sizeof(bool) * (JsonContainerSize(sp.arr) + 1));
	sp.at = palloc(sizeof(int) * n);
	sp.value = palloc(sizeof(JbValue) * n);
	order = palloc(sizeof(int) * n * 2);
	for (int i = 0; i < n; i++)
	{
		JbValue		old;

		jb_child(JbValueContainer(&olds), i, &old);
		order[2 * i] = unique_identical(sp.arr, &old);
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
		/* a replacement: removed and inserted at the same index */
		sp.removed[order[2 * k]] = true;
		sp.at[k] = order[2 * k];
		jb_child(JbValueContainer(&news), order[2 * k + 1], &sp.value[k]);
	}
	sp.n = n;
	sp.nremoved = n;

	PG_RETURN_JSONB_P(splice_array(doc, &walk, &sp, VARSIZE(PG_GETARG_JSONB_P(3))));
}

/*
 * jsonb_ivm_array_splice(target, array_path, olds, positions, news,
 * empty, total): in the array at array_path, remove the element stored
 * exactly as each of olds, then insert news[i] so that it ends at index
 * positions[i] (ascending).  empty is what the query gives for an empty
 * array (a COALESCE default, or JSON null): a value stored exactly as empty
 * at the path counts as an empty array, and an array left empty is written
 * as empty.  total, when not NULL, is the length the array must end with:
 * a document that another trigger of the same statement rebuilt already
 * (a foreign key's ON UPDATE CASCADE) holds the new elements, and is not
 * patched twice.  Returns NULL when the path does not hold an array or
 * empty, an old element is not there exactly once, a position does not
 * fit, the array would not end with total elements, or it would be empty
 * and empty is NULL (unknown): the caller then recomputes the document.
 * Not STRICT: a NULL target gives NULL.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_array_splice);
Datum
jsonb_ivm_array_splice(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc;
	JbPath		path;
	JbWalk		walk;
	JbValue		olds;
	JbValue		news;
	JbValue		empty;
	ArrayType  *positions;
	Datum	   *pos;
	bool	   *posnull;
	int			npos;
	Splice		sp;
	int			nold;
	int			len;

	jb_require_arg(fcinfo, 1, "array_path");
	jb_require_arg(fcinfo, 2, "olds");
	jb_require_arg(fcinfo, 3, "positions");
	jb_require_arg(fcinfo, 4, "news");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	jb_root_value(PG_GETARG_JSONB_P(2), &olds);
	jb_root_value(PG_GETARG_JSONB_P(4), &news);
	positions = PG_GETARG_ARRAYTYPE_P(3);
	if (ARR_NDIM(positions) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("wrong number of array subscripts")));
	deconstruct_array(positions, INT4OID, sizeof(int32), true, TYPALIGN_INT,
					  &pos, &posnull, &npos);
	if (!JbValueIsArray(&olds) || !JbValueIsArray(&news) ||
		(int) JsonContainerSize(JbValueContainer(&news)) != npos)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("olds and news must be jsonb arrays, news as long as positions")));

	if (!PG_ARGISNULL(5))
		jb_root_value(PG_GETARG_JSONB_P(5), &empty);
	sp.arr = target_array(fcinfo, &doc, &path, &walk);
	if (sp.arr == NULL && (PG_ARGISNULL(5) || walk.status != JB_WALK_FOUND ||
						   !jb_values_identical(&walk.value, &empty)))
		PG_RETURN_NULL();
	len = sp.arr ? JsonContainerSize(sp.arr) : 0;
	nold = JsonContainerSize(JbValueContainer(&olds));
	if (nold > len)
		PG_RETURN_NULL();

	sp.removed = palloc0(sizeof(bool) * (len + 1));
	sp.nremoved = 0;
	for (int i = 0; i < nold; i++)
	{
		JbValue		old;
		int			index;

		jb_child(JbValueContainer(&olds), i, &old);
		index = unique_identical(sp.arr, &old);
		if (index < 0 || sp.removed[index])
			PG_RETURN_NULL();
		sp.removed[index] = true;
		sp.nremoved++;
	}

	jb_check_alloc(npos + 1, sizeof(int) + sizeof(JbValue), "elements to insert");
	sp.at = palloc(sizeof(int) * (npos + 1));
	sp.value = palloc(sizeof(JbValue) * (npos + 1));
	sp.n = npos;
	for (int k = 0; k < npos; k++)
	{
		int			at;

		if (posnull[k])
			PG_RETURN_NULL();
		at = DatumGetInt32(pos[k]);
		/* ascending, and each within the array as it grows */
		if (at < 0 || (k > 0 && at <= sp.at[k - 1]) ||
			at > len - sp.nremoved + k)
			PG_RETURN_NULL();
		sp.at[k] = at;
		jb_child(JbValueContainer(&news), k, &sp.value[k]);
	}
	if (!PG_ARGISNULL(6) && len - sp.nremoved + npos != PG_GETARG_INT32(6))
		PG_RETURN_NULL();
	if (len - sp.nremoved + npos == 0)
	{
		if (PG_ARGISNULL(5))
			PG_RETURN_NULL();
		PG_RETURN_JSONB_P(jb_write_at_path(doc, &path, &walk, &empty));
	}
	if (sp.arr == NULL)
		PG_RETURN_JSONB_P(jb_write_at_path(doc, &path, &walk, &news));

	PG_RETURN_JSONB_P(splice_array(doc, &walk, &sp, VARSIZE(PG_GETARG_JSONB_P(4))));
}

/* a row returned by a query, as the bytes of its values */
typedef struct RowImage
{
	char	   *bytes;
	int			len;
} RowImage;

/*
 * qsort comparator of row images: any total order serves to compare two
 * sorted lists.
 */
static int
row_image_cmp(const void *a, const void *b)
{
	const RowImage *ra = a;
	const RowImage *rb = b;

	if (ra->len != rb->len)
		return ra->len < rb->len ? -1 : 1;
	return memcmp(ra->bytes, rb->bytes, ra->len);
}

/*
 * The rows that plan (one parameter) returns under snapshot, as images
 * (each value's bytes, detoasted, after a null flag and its length),
 * sorted, in the current (SPI procedure) memory context.  Two rows have
 * the same image when their values are the same bytes: a row's tid, or a
 * document built by the same expression from the same rows.
 */
static RowImage *
snapshot_rows(SPIPlanPtr plan, Datum arg, Snapshot snapshot, uint64 *n)
{
	RowImage   *rows;
	TupleDesc	tupdesc;
	StringInfoData buf;

	if (SPI_execute_snapshot(plan, &arg, NULL, snapshot, InvalidSnapshot,
							 false, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed");
	tupdesc = SPI_tuptable->tupdesc;
	*n = SPI_processed;
	jb_check_alloc(*n, sizeof(RowImage), "rows to compare across snapshots");
	rows = palloc(Max(*n, 1) * sizeof(RowImage));
	for (uint64 i = 0; i < *n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		initStringInfo(&buf);
		for (int j = 0; j < tupdesc->natts; j++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, j);
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[i], tupdesc, j + 1, &isnull);
			const char *value;
			int32		len;

			if (isnull)
			{
				len = -1;
				appendBinaryStringInfo(&buf, (char *) &len, sizeof(len));
				continue;
			}
			if (att->attbyval)
			{
				value = (const char *) &d;
				len = sizeof(Datum);
			}
			else if (att->attlen > 0)
			{
				value = DatumGetPointer(d);
				len = att->attlen;
			}
			else if (att->attlen == -1)
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));

				value = VARDATA_ANY(v);
				len = VARSIZE_ANY_EXHDR(v);
			}
			else
			{
				value = DatumGetCString(d);
				len = strlen(value);
			}
			appendBinaryStringInfo(&buf, (char *) &len, sizeof(len));
			appendBinaryStringInfo(&buf, value, len);
		}
		rows[i].bytes = buf.data;
		rows[i].len = buf.len;
	}
	qsort(rows, *n, sizeof(RowImage), row_image_cmp);
	return rows;
}

/*
 * jsonb_ivm_check_snapshot(query text, arg anyarray): under REPEATABLE
 * READ or SERIALIZABLE, raise a serialization failure when query, run with
 * arg as $1, returns other rows under the latest snapshot than under the
 * transaction's: rows of tids (a row new, changed or gone, or joined to
 * other rows), or documents that would be built otherwise.  The generated
 * code asks it for the rows that link to the rows a statement changed, for
 * the siblings of the elements a splice places, and for the documents it
 * recomputes or whose elements it rebuilds: a concurrent transaction that
 * committed a new link, or a change that left the documents as they were,
 * is invisible to the snapshot, and locking a row it only locked raises
 * nothing.  After a TRUNCATE, it asks
 * for the projection's rows, which the recomputation must all see.
 * SERIALIZABLE detects conflicts with serializable transactions only, not
 * with a READ COMMITTED one.  Does nothing under READ COMMITTED, whose
 * statements see every commit.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_check_snapshot);
Datum
jsonb_ivm_check_snapshot(PG_FUNCTION_ARGS)
{
	char	   *query;
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	SPIPlanPtr	plan;
	RowImage   *latest;
	RowImage   *mine;
	uint64		nlatest;
	uint64		nmine;
	bool		differ;

	if (!IsolationUsesXactSnapshot())
		PG_RETURN_VOID();
	if (!OidIsValid(argtype))
		elog(ERROR, "could not determine the argument type");
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(query, 1, &argtype);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	CommandCounterIncrement();
	latest = snapshot_rows(plan, PG_GETARG_DATUM(1), GetLatestSnapshot(), &nlatest);
	mine = snapshot_rows(plan, PG_GETARG_DATUM(1), GetTransactionSnapshot(), &nmine);
	differ = nlatest != nmine;
	for (uint64 i = 0; !differ && i < nmine; i++)
		differ = row_image_cmp(&latest[i], &mine[i]) != 0;
	if (differ)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update"),
				 errdetail("A concurrent transaction changed rows that the maintenance of a projection reads.")));
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * Where the shard id of a Citus shard's name (table_N) starts: its
 * underscore, or NULL when the name does not end in _ and digits.
 */
static const char *
shard_suffix(const char *relname)
{
	const char *suffix = strrchr(relname, '_');

	if (suffix == NULL || suffix[1] == '\0' ||
		strspn(suffix + 1, "0123456789") != strlen(suffix + 1))
		return NULL;
	return suffix;
}

/*
 * jsonb_ivm_guard(): statement-level BEFORE trigger of every projection
 * table.  Only the generated functions write a projection: they set the
 * transaction-local setting jsonb_ivm.maintenance to "on" around their
 * writes; any other write is an error.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_guard);
Datum
jsonb_ivm_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *flag;
	char	   *name;
	char	   *suffix;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "jsonb_ivm_guard: not called by trigger manager");
	flag = GetConfigOption("jsonb_ivm.maintenance", true, false);
	if (flag != NULL && strcmp(flag, "on") == 0)
		return PointerGetDatum(NULL);

	/* on Citus, a shard table_N of table: name the table */
	name = pstrdup(RelationGetRelationName(trigdata->tg_relation));
	suffix = (char *) shard_suffix(name);
	if (suffix && OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
	{
		*suffix = '\0';
		if (!OidIsValid(get_relname_relid(name, RelationGetNamespace(trigdata->tg_relation))))
			*suffix = '_';
	}
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("cannot change projection %s",
					quote_qualified_identifier(get_namespace_name(RelationGetNamespace(trigdata->tg_relation)),
											   name)),
			 errhint("Change the tables its query reads: jsonb_ivm keeps the projection equal to its query.")));
	PG_RETURN_NULL();			/* not reached */
}

/* The owner of function fn. */
static Oid
function_owner(Oid fn)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	owner = ((Form_pg_proc) GETSTRUCT(tup))->proowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * jsonb_ivm_shard_trigger(schema, projection, base): on Citus, the
 * statement-level trigger of a source table of a distributed projection,
 * which Citus creates on every shard of the table.  Fired on a shard, it
 * runs, with the trigger's transition tables, the generated function of
 * each shard of the projection that the change reaches on this node: the
 * co-located shard, for a shard of a distributed table, or every shard
 * placed here, for a reference table's.  The function of projection shard
 * N is schema.base_N, owned by the projection's owner (a function of that
 * name owned by anyone else is refused, not run).  Fired by TRUNCATE of
 * the distributed or reference table itself, on the coordinator, it
 * refreshes the projection; fired on the table by anything else, or on a
 * shard by TRUNCATE, it does nothing.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_shard_trigger);
Datum
jsonb_ivm_shard_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Trigger    *tg;
	Relation	rel;
	const char *relname;
	const char *suffix;
	int64		shard;
	Oid			projection;
	Oid			owner = InvalidOid;
	int64	   *targets = NULL;
	int			ntargets = 0;
	bool		distributed_table = false;
	Oid			argtypes[5] = {OIDOID, OIDOID, INT8OID, TEXTOID, OIDOID};
	Datum		values[5];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		elog(ERROR, "jsonb_ivm_shard_trigger: not called by trigger manager for a statement");
	tg = trigdata->tg_trigger;
	if (tg->tgnargs != 3)
		elog(ERROR, "jsonb_ivm_shard_trigger: expected 3 arguments, got %d", tg->tgnargs);
	rel = trigdata->tg_relation;

	/* a projection dropped leaves TRUNCATE triggers on shards (below) */
	projection = get_relname_relid(tg->tgargs[1], get_namespace_oid(tg->tgargs[0], true));

	/* a shard is named table_shardid */
	relname = RelationGetRelationName(rel);
	suffix = shard_suffix(relname);
	shard = suffix ? (int64) strtoll(suffix + 1, NULL, 10) : 0;

	SPI_connect();
	values[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	values[1] = ObjectIdGetDatum(projection);
	values[2] = Int64GetDatum(shard);
	/* (Citus hides shards from pg_class, but for its own connections) */
	values[3] = CStringGetTextDatum(relname);
	values[4] = ObjectIdGetDatum(RelationGetNamespace(rel));

	/*
	 * the projection shards on this node that the change of this shard
	 * reaches (none, on a node without them: the shard's row comes with a
	 * NULL), or a row for the distributed table itself
	 */
	if (SPI_execute_with_args(
							  "SELECT p.shardid, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = $2), false"
							  " FROM pg_catalog.pg_dist_shard s LEFT JOIN pg_catalog.pg_dist_shard p"
							  " ON p.logicalrelid = $2"
							  " AND (s.shardminvalue IS NULL OR p.shardminvalue = s.shardminvalue)"
							  " AND EXISTS (SELECT FROM pg_catalog.pg_dist_placement l"
							  " WHERE l.shardid = p.shardid"
							  " AND l.groupid = (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g))"
							  " WHERE s.shardid = $3"
							  " AND (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = s.logicalrelid) = $5"
							  " AND (SELECT i[pg_catalog.array_upper(i, 1)] FROM"
							  " pg_catalog.parse_ident(pg_catalog.shard_name(s.logicalrelid, s.shardid)) i) = $4"
							  " UNION ALL SELECT NULL, NULL, true FROM pg_catalog.pg_dist_partition d"
							  " WHERE d.logicalrelid = $1"
							  " ORDER BY 1",
							  5, argtypes, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "jsonb_ivm_shard_trigger: SPI_execute_with_args failed");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation %s is neither a Citus table nor a shard of one",
						quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), relname)),
				 errdetail("Its trigger %s maintains projection %s.", quote_identifier(tg->tgname),
						   quote_qualified_identifier(tg->tgargs[0], tg->tgargs[1]))));
	targets = SPI_palloc(sizeof(int64) * SPI_processed);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		bool		whole_isnull;
		Datum		d = SPI_getbinval(row, desc, 1, &isnull);

		if (DatumGetBool(SPI_getbinval(row, desc, 3, &whole_isnull)))
			distributed_table = true;
		else if (!isnull)
		{
			targets[ntargets++] = DatumGetInt64(d);
			owner = DatumGetObjectId(SPI_getbinval(row, desc, 2, &isnull));
		}
	}

	/*
	 * TRUNCATE: Citus creates no TRUNCATE trigger on shards.  The
	 * distributed table's fires on the coordinator, after Citus's own has
	 * emptied the shards (triggers fire in name order: its name sorts after
	 * Citus's truncate_trigger_<oid>), and refreshes the projection.  A
	 * shard's (Citus copies the distributed table's TRUNCATE triggers to
	 * the shards it moves or splits, and leaves them there when they are
	 * dropped) does nothing.
	 */
	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		if (distributed_table)
		{
			Oid			refresh_args[1] = {TEXTOID};
			Datum		name = CStringGetTextDatum(quote_qualified_identifier(tg->tgargs[0], tg->tgargs[1]));
			char	   *sql = psprintf("SELECT %s.jsonb_ivm_refresh_projection($1)",
									   quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid))));

			if (SPI_execute_with_args(sql, 1, refresh_args, &name, NULL, false, 0) != SPI_OK_SELECT)
				elog(ERROR, "jsonb_ivm_shard_trigger: SPI_execute_with_args failed");
		}
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	SPI_finish();
	if (!OidIsValid(projection))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("projection %s does not exist",
						quote_qualified_identifier(tg->tgargs[0], tg->tgargs[1]))));

	for (int i = 0; i < ntargets; i++)
	{
		char	   *fname = psprintf("%s_" INT64_FORMAT, tg->tgargs[2], targets[i]);
		Oid			fn = LookupFuncName(list_make2(makeString(tg->tgargs[0]), makeString(fname)),
										0, NULL, true);
		FmgrInfo	flinfo;
		LOCAL_FCINFO(callinfo, 0);

		if (!OidIsValid(fn))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("function %s, which maintains shard " INT64_FORMAT " of projection %s, does not exist",
							quote_qualified_identifier(tg->tgargs[0], fname), targets[i],
							quote_qualified_identifier(tg->tgargs[0], tg->tgargs[1])),
					 errhint("The projection's shards changed after it was created (a split): call jsonb_ivm_refresh_projection(), which generates their maintenance.")));
		if (function_owner(fn) != owner)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("function %s is not owned by the owner of projection %s",
							quote_qualified_identifier(tg->tgargs[0], fname),
							quote_qualified_identifier(tg->tgargs[0], tg->tgargs[1]))));
		fmgr_info(fn, &flinfo);
		InitFunctionCallInfoData(*callinfo, &flinfo, 0, InvalidOid, (Node *) trigdata, NULL);
		(void) FunctionCallInvoke(callinfo);
	}
	return PointerGetDatum(NULL);
}
