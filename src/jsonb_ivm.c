/*-------------------------------------------------------------------------
 *
 * jsonb_ivm.c
 *	  Module entry point and the argument and limit checks shared by every
 *	  SQL-callable function of jsonb_ivm.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "jsonb_ivm.h"

PG_MODULE_MAGIC_EXT(.name = "jsonb_ivm", .version = JSONB_IVM_VERSION);

/*
 * Path and key arguments must not be NULL: a NULL there is a bug in the
 * caller, and silently returning NULL would wipe the document in an UPDATE.
 */
void
jb_require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	Assert(argno >= 0 && argno < PG_NARGS());
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/*
 * Refuse n items of size bytes each when they do not fit in one allocation,
 * with ERRCODE_PROGRAM_LIMIT_EXCEEDED as hstoreArrayToPairs does, rather than
 * leave it to palloc's internal error.  what names the items.
 */
void
jb_check_alloc(Size n, Size size, const char *what)
{
	if (n > MaxAllocSize / size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of %s (%zu) exceeds the maximum allowed (%zu)",
						what, n, MaxAllocSize / size)));
}

/*
 * Argument argno, a jsonb that must be an object (name names it in the
 * error).  Sets *root to its root value.
 */
Jsonb *
jb_object_arg(FunctionCallInfo fcinfo, int argno, const char *name,
			  JbValue *root)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(argno);

	jb_root_value(jb, root);
	if (!JbValueIsObject(root))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a jsonb object", name),
				 errdetail("The value given is of type %s.",
						   jb_type_name(root))));
	return jb;
}

/*
 * jsonb_ivm_raw_bytes(jsonb) returns bytea: the stored bytes of a jsonb
 * (its root container), so that tests can check results byte for byte.
 * Not part of the extension's SQL API; test suites declare it themselves.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_raw_bytes);
Datum
jsonb_ivm_raw_bytes(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	Size		len = VARSIZE(jb) - VARHDRSZ;
	bytea	   *result = palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), VARDATA(jb), len);
	PG_RETURN_BYTEA_P(result);
}

/*
 * jsonb_ivm_detoast_copy(jsonb) returns jsonb: detoast the argument and
 * copy it, nothing else.  The floor of any function that returns a new
 * document; the benchmark suite declares it in its own schema.  Not part of
 * the extension's SQL API.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_detoast_copy);
Datum
jsonb_ivm_detoast_copy(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	Jsonb	   *copy = palloc(VARSIZE(jb));

	memcpy(copy, jb, VARSIZE(jb));
	PG_RETURN_JSONB_P(copy);
}
