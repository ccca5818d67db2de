/*-------------------------------------------------------------------------
 *
 * projection_analyze.c
 *	  Reads a projection's defining query with PostgreSQL's parser and
 *	  analyzer, refuses every shape the engine cannot maintain, and
 *	  describes the tables it reads as a tree rooted at the root table.
 *
 * The description (a jsonb value) is what sql/jsonb_ivm.sql's generators
 * turn into triggers: every source table is a node whose rows reach the
 * root by equality of one column with one column of the node above.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

/*
 * Some of these headers reach inline functions of core (lib/ilist.h) that
 * leave parameters unused; -Wextra stays on for this file's own code.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "access/genam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/tlist.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "parser/scanner.h"
#include "rewrite/rewriteManip.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#pragma GCC diagnostic pop

#include "jsonb_ivm.h"

/* One source table occurrence: a node of the tree rooted at the root. */
typedef struct PjNode
{
	Oid			relid;
	int			up;				/* index of the node above; -1 for the root */
	AttrNumber	col;			/* this table's column equal to ... */
	AttrNumber	up_col;			/* ... this column of the node above */
	const char *role;			/* root, parent, child, joined */
	char	   *path;			/* where its content lands in data */
	List	   *merge;			/* key, expression, ...: the keys of data a
								 * change of this node's row rewrites alone */
	List	   *compare;		/* the columns read elsewhere: a change of
								 * one of them is recomputed */
	List	   *element;		/* path key, element over n, over o: the
								 * array element an UPDATE replaces */
	List	   *positional;		/* path key, then as plan_positions: the
								 * correlated table of an array whose
								 * elements move by position */
	int			element_node;	/* ... the node its elements are read from */
	int			array_node;		/* of an element table: its array's
								 * correlated table */
	int			outer;			/* the correlated table of the array whose
								 * elements a change of this node's rows
								 * rewrites in place, or -1 */
	List	   *middle;			/* of a table between an array's correlated
								 * table and its element table: the element
								 * over this table as n, as o, and the
								 * array's filter over it as n, as o (NULL
								 * when none) ... */
	AttrNumber	down_col;		/* ... and its column the table below joins */
	char	   *empty;			/* ... and the SQL of the constant the query
								 * gives for an empty array (its COALESCE
								 * default, or JSON null), or NULL */
	List	   *filter;			/* of a correlated table: its filter over
								 * aliases n, o, g and its own ek (and the
								 * tables joined below it, see
								 * analyze_sublink) */
	bool		outer_join;		/* a parent read by LEFT JOIN */
	Node	   *value;			/* a parent read by subquery: its value ... */
	Index		value_varno;	/* ... and the parent's varno in it */
	List	   *joins;			/* of the root: LEFT JOINs its merge reads */
	List	   *columns;		/* of the root: name, expression of the other
								 * output columns its merge sets */
} PjNode;

typedef struct PjState
{
	const char *query_text;
	List	   *renamed;		/* Oid: relations named otherwise in the
								 * description ... */
	List	   *new_names;		/* ... and their names, schema and table */
	List	   *nodes;			/* PjNode *, the root first */
	List	   *parent_links;	/* SubLinks of parents read without a filter */
	List	   *parent_nodes;	/* ... and their nodes (int) */
	List	   *array_links;	/* SubLinks of arrays of one table's elements */
	List	   *array_nodes;	/* ... and that table's nodes (int) */
} PjState;

/* Expression walk inside one query level. */
typedef struct PjWalk
{
	PjState    *st;
	int		   *rt_node;		/* range table index -> node, or -1 */
	List	   *path;			/* keys of jsonb_build_object above, char * */
} PjWalk;

/* The columns of one range table entry that an expression reads. */
typedef struct VarCollect
{
	Index		varno;
	int			level;			/* the query level of varno */
	Bitmapset  *atts;
	bool		wholerow;
	Bitmapset  *varnos;			/* every varno of that level */
	bool		sublink;
} VarCollect;

static void analyze_sublink(PjState *st, SubLink *sl, int *outer_rt_node,
							List *path);
static char *deparse_as(Node *expr, Index varno, Oid relid, const char *alias);
static char *deparse_over(Node *expr, Index varno, Oid relid);
static char *deparse_path(Node *expr, Query *sq, int *rt_node, Index bottom,
						  const char *bottom_alias);
static char *deparse_names(Node *expr, Query *sq, int *rt_node, Index bottom,
						   const char *bottom_alias, Index corr,
						   const char *corr_alias, const char *prefix);
static VarCollect *vars_in(Node *node, Index varno);
static bool find_session_dependent(Node *node, PjState *st);
static VarCollect vars_of(Node *node, Index varno);
static Bitmapset *merge_parents(PjState *st, Query *q, int *rt_node,
								Index root_rti, TargetEntry *data_te, List *keys,
								int *owner);

/*
 * The schema and name under which the description names relation relid:
 * its own, or those given for it (a shard of it, on Citus).
 */
static void
relation_names(PjState *st, Oid relid, char **schema, char **table)
{
	ListCell   *lc;

	foreach(lc, st->renamed)
	{
		if (lfirst_oid(lc) == relid)
		{
			int			i = foreach_current_index(lc);

			*schema = list_nth(st->new_names, 2 * i);
			*table = list_nth(st->new_names, 2 * i + 1);
			return;
		}
	}
	*schema = get_namespace_name(get_rel_namespace(relid));
	*table = get_rel_name(relid);
}

/* The locations in a raw parse tree of the relations renamed. */
typedef struct RenameWalk
{
	PjState    *st;
	List	   *locations;		/* int: where the name of one starts ... */
	List	   *relids;			/* ... Oid: which it is */
} RenameWalk;

static bool
find_renamed(Node *node, RenameWalk *w)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, RangeVar))
	{
		RangeVar   *rv = (RangeVar *) node;
		Oid			relid = rv->schemaname ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;

		if (OidIsValid(relid) && list_member_oid(w->st->renamed, relid))
		{
			w->locations = lappend_int(w->locations, rv->location);
			w->relids = lappend_oid(w->relids, relid);
		}
		return false;
	}
	return raw_expression_tree_walker(node, find_renamed, (void *) w);
}

/*
 * The query text with every schema-qualified reference to a renamed
 * relation replaced by its new name: the parser finds where each name
 * starts, its scanner where the name ends (the next token that is not a
 * dot or a part of the name).  Only qualified names are replaced, which
 * is every name of a view's definition deparsed with search_path =
 * pg_catalog (a CTE's name never is).
 */
static char *
renamed_query(PjState *st, Node *stmt)
{
	RenameWalk	w = {.st = st};
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	YYLTYPE		loc = 0;
	core_YYSTYPE val;
	StringInfoData out;
	int			copied = 0;
	int			tok;

	(void) find_renamed(stmt, &w);
	initStringInfo(&out);
	scanner = scanner_init(st->query_text, &yyextra, &ScanKeywords, ScanKeywordTokens);
	tok = core_yylex(&val, &loc, scanner);
	while (tok != 0)
	{
		int			i = -1;
		ListCell   *lc;
		char	   *schema;
		char	   *table;

		CHECK_FOR_INTERRUPTS();
		foreach(lc, w.locations)
			if (lfirst_int(lc) == loc)
				i = foreach_current_index(lc);
		if (i < 0)
		{
			tok = core_yylex(&val, &loc, scanner);
			continue;
		}
		/* name [. name]...: up to the first token after it */
		appendBinaryStringInfo(&out, st->query_text + copied, loc - copied);
		tok = core_yylex(&val, &loc, scanner);
		while (tok == '.')
		{
			(void) core_yylex(&val, &loc, scanner);
			tok = core_yylex(&val, &loc, scanner);
		}
		relation_names(st, list_nth_oid(w.relids, i), &schema, &table);
		appendStringInfo(&out, "%s ", quote_qualified_identifier(schema, table));
		copied = tok == 0 ? (int) strlen(st->query_text) : loc;
	}
	scanner_finish(scanner);
	appendStringInfoString(&out, st->query_text + copied);
	return out.data;
}

/* Raise the engine's error for an unsupported construct. */
static void
pj_unsupported(PjState *st, int location, const char *what, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported on a projection", what),
			 hint ? errhint("%s", hint) : 0,
			 location >= 0 ? internalerrposition(location + 1) : 0,
			 location >= 0 ? internalerrquery(st->query_text) : 0));
}

/* The path of keys as text: "a.b", or "" at the top. */
static char *
path_text(List *path)
{
	StringInfoData s;
	ListCell   *lc;

	if (path == NIL)
		return pstrdup("");
	initStringInfo(&s);
	foreach(lc, path)
	{
		if (s.len > 0)
			appendStringInfoChar(&s, '.');
		appendStringInfoString(&s, (char *) lfirst(lc));
	}
	return s.data;
}

/* Add a source table occurrence; returns its node index. */
static int
add_node(PjState *st, Oid relid, int up, AttrNumber col, AttrNumber up_col,
		 const char *role, List *path)
{
	PjNode	   *n = palloc0(sizeof(PjNode));

	n->relid = relid;
	n->up = up;
	n->col = col;
	n->up_col = up_col;
	n->role = role;
	n->path = path_text(path);
	n->array_node = -1;
	n->outer = -1;
	st->nodes = lappend(st->nodes, n);
	return list_length(st->nodes) - 1;
}

/*
 * Refuse the clauses that no projection query may have, at any level.
 * The top level may not aggregate; a subquery may (jsonb_agg only).
 */
static void
check_query_clauses(PjState *st, Query *q, bool top)
{
	if (q->commandType != CMD_SELECT || q->utilityStmt != NULL)
		pj_unsupported(st, -1, "a statement other than SELECT", NULL);
	if (q->setOperations != NULL)
		pj_unsupported(st, -1, "UNION/INTERSECT/EXCEPT", NULL);
	if (q->cteList != NIL)
		pj_unsupported(st, -1, "WITH", NULL);
	if (q->groupClause != NIL || q->groupingSets != NIL)
		pj_unsupported(st, -1, "GROUP BY", NULL);
	if (q->havingQual != NULL)
		pj_unsupported(st, -1, "HAVING", NULL);
	if (q->distinctClause != NIL)
		pj_unsupported(st, -1, "DISTINCT", NULL);
	if (q->limitCount != NULL || q->limitOffset != NULL)
		pj_unsupported(st, -1, "LIMIT/OFFSET", NULL);
	if (q->hasWindowFuncs)
		pj_unsupported(st, -1, "a window function", NULL);
	if (q->hasTargetSRFs)
		pj_unsupported(st, -1, "a set-returning function", NULL);
	if (q->rowMarks != NIL || q->hasForUpdate)
		pj_unsupported(st, -1, "FOR UPDATE/SHARE", NULL);
	if (q->sortClause != NIL)
		pj_unsupported(st, -1, top ? "ORDER BY on the projection query" :
					   "ORDER BY on a subquery", top ? "A projection table has no order." :
					   "Order the elements inside jsonb_agg(... ORDER BY ...).");
	if (top && q->hasAggs)
		pj_unsupported(st, -1, "an aggregate outside a subquery",
					   "Aggregate child rows in a correlated scalar subquery.");
}

/*
 * Check the range table of one level: only plain tables (and joins), with
 * SELECT on every column read and TRIGGER on every table, as the caller.
 * Fills rt_node with -1.
 */
static int *
check_range_table(PjState *st, Query *q)
{
	int		   *rt_node = palloc(sizeof(int) * (list_length(q->rtable) + 1));
	ListCell   *lc;
	int			i = 0;

	rt_node[0] = -1;
	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = (RangeTblEntry *) lfirst(lc);

		rt_node[++i] = -1;
		if (rte->rtekind == RTE_JOIN)
			continue;
		if (rte->rtekind != RTE_RELATION)
			pj_unsupported(st, -1, rte->rtekind == RTE_SUBQUERY ? "a subquery in FROM" :
						   rte->rtekind == RTE_FUNCTION ? "a function in FROM" :
						   rte->rtekind == RTE_VALUES ? "VALUES in FROM" :
						   "this kind of FROM item", NULL);
		if (rte->relkind != RELKIND_RELATION)
		{
			char	   *what = psprintf("reading %s \"%s\"",
										rte->relkind == RELKIND_VIEW ? "the view" :
										rte->relkind == RELKIND_MATVIEW ? "the materialized view" :
										rte->relkind == RELKIND_PARTITIONED_TABLE ? "the partitioned table" :
										rte->relkind == RELKIND_FOREIGN_TABLE ? "the foreign table" :
										"the relation", get_rel_name(rte->relid));

			pj_unsupported(st, -1, what,
						   rte->relkind == RELKIND_VIEW ?
						   "Read the view's tables in the query, or the table of a projection." : NULL);
		}
		if (rte->tablesample != NULL)
			pj_unsupported(st, -1, "TABLESAMPLE", NULL);
		if (pg_class_aclcheck(rte->relid, GetUserId(), ACL_TRIGGER) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, get_rel_name(rte->relid));
	}
	/* SELECT on every column read, as the executor would check it */
	jb_check_select_perms(q);
	return rt_node;
}

/* The single-column primary key of relid, or 0. */
static AttrNumber
primary_key_column(Oid relid)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Oid			pkoid = jb_primary_key_index(rel);
	AttrNumber	result = 0;

	if (OidIsValid(pkoid))
	{
		Relation	idx = index_open(pkoid, AccessShareLock);

		if (idx->rd_index->indnkeyatts == 1)
			result = idx->rd_index->indkey.values[0];
		index_close(idx, AccessShareLock);
	}
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * Whether relid has an immediate unique index without expressions or
 * predicate whose key columns all lie in cols, and are NOT NULL except
 * maybe_null (rows with a NULL there never belong to a group).
 */
static bool
unique_within(Oid relid, Bitmapset *cols, AttrNumber maybe_null)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		found = false;

	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ind = idx->rd_index;
		bool		ok = ind->indisunique && ind->indimmediate && ind->indisvalid &&
			RelationGetIndexPredicate(idx) == NIL;

		for (int i = 0; ok && i < ind->indnkeyatts; i++)
		{
			AttrNumber	att = ind->indkey.values[i];

			if (att == 0 || !bms_is_member(att, cols))
				ok = false;
			else if (att != maybe_null && !TupleDescAttr(desc, att - 1)->attnotnull)
				ok = false;
		}
		index_close(idx, AccessShareLock);
		if (ok)
		{
			found = true;
			break;
		}
	}
	list_free(indexes);
	table_close(rel, AccessShareLock);
	return found;
}

/* The Var under any binary-compatible relabeling, or NULL. */
static Var *
plain_var(Node *n)
{
	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	if (n && IsA(n, Var) && ((Var *) n)->varattno > 0)
		return (Var *) n;
	return NULL;
}

/* Whether an operator is named "=". */
static bool
is_equality(Oid opno)
{
	char	   *name = get_opname(opno);

	return name != NULL && strcmp(name, "=") == 0;
}

/* Whether a function is pg_catalog.<name>. */
static bool
is_catalog_function(Oid funcid, const char *name)
{
	char	   *fname = get_func_name(funcid);

	return fname != NULL && strcmp(fname, name) == 0 &&
		get_func_namespace(funcid) == PG_CATALOG_NAMESPACE;
}

/*
 * Walk an expression of the top level or of a parent subquery: Vars must
 * belong to this level's nodes, subqueries are analyzed, and
 * jsonb_build_object's constant keys name the path.
 */
static bool
walk_expr(Node *node, PjWalk *w)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, Var))
	{
		Var		   *v = (Var *) node;

		if (v->varlevelsup != 0 || w->rt_node[v->varno] < 0)
			pj_unsupported(w->st, v->location, "this column reference",
						   "Expressions may read the root table and its parents only.");
		return false;
	}
	if (IsA(node, SubLink))
	{
		SubLink    *sl = (SubLink *) node;

		if (sl->subLinkType != EXPR_SUBLINK)
			pj_unsupported(w->st, sl->location,
						   sl->subLinkType == EXISTS_SUBLINK ? "EXISTS" :
						   sl->subLinkType == ARRAY_SUBLINK ? "ARRAY(subquery)" :
						   "a subquery other than a scalar one", NULL);
		analyze_sublink(w->st, sl, w->rt_node, w->path);
		return false;
	}
	if (IsA(node, FuncExpr) &&
		is_catalog_function(((FuncExpr *) node)->funcid, "jsonb_build_object"))
	{
		FuncExpr   *f = (FuncExpr *) node;
		ListCell   *lc;
		int			i = 0;
		char	   *key = NULL;

		foreach(lc, f->args)
		{
			Node	   *arg = lfirst(lc);

			if (i++ % 2 == 0)
			{
				Const	   *c = IsA(arg, Const) ? (Const *) arg : NULL;

				if (c && !c->constisnull && c->consttype == TEXTOID)
					key = TextDatumGetCString(c->constvalue);
				else if (c && !c->constisnull && c->consttype == UNKNOWNOID)
					key = DatumGetCString(c->constvalue);
				else
					key = "?";	/* a computed key: shown as such */
				walk_expr(arg, w);
			}
			else
			{
				List	   *saved = w->path;

				w->path = lappend(list_copy(saved), key);
				walk_expr(arg, w);
				w->path = saved;
			}
		}
		return false;
	}
	if (IsA(node, Aggref) || IsA(node, WindowFunc) || IsA(node, GroupingFunc))
		pj_unsupported(w->st, exprLocation(node), "an aggregate here", NULL);
	return expression_tree_walker(node, walk_expr, (void *) w);
}

/*
 * Refuse what reads the clock or the session (CURRENT_TIMESTAMP, now(),
 * current_setting(), CURRENT_USER ...): STABLE, so not caught as volatile,
 * but a document built from them changes without any change of its tables,
 * and nothing would maintain it.  Other STABLE functions (jsonb_build_object,
 * to_jsonb, casts) are accepted: they read settings only to format values.
 */
static bool
find_session_dependent(Node *node, PjState *st)
{
	static const char *const names[] = {
		"now", "statement_timestamp", "transaction_timestamp",
		"current_setting", "current_schema", "current_schemas",
		"current_database", "current_query", "pg_backend_pid",
		"inet_client_addr", "inet_client_port", "pg_my_temp_schema",
		"age", "txid_current_if_assigned", "pg_current_xact_id_if_assigned"
	};

	if (node == NULL)
		return false;
	if (IsA(node, SQLValueFunction))
		pj_unsupported(st, exprLocation(node),
					   "a clock or session value (CURRENT_TIMESTAMP, CURRENT_USER ...)",
					   "It reads the clock or the session; a projection's documents must depend on its tables only.");
	if (IsA(node, FuncExpr) &&
		get_func_namespace(((FuncExpr *) node)->funcid) == PG_CATALOG_NAMESPACE &&
		func_volatile(((FuncExpr *) node)->funcid) == PROVOLATILE_STABLE)
	{
		char	   *name = get_func_name(((FuncExpr *) node)->funcid);

		for (size_t i = 0; i < lengthof(names); i++)
			if (strcmp(name, names[i]) == 0)
				pj_unsupported(st, ((FuncExpr *) node)->location,
							   psprintf("the function %s()", name),
							   "It reads the clock or the session; a projection's documents must depend on its tables only.");
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, find_session_dependent,
								 (void *) st, 0);
	return expression_tree_walker(node, find_session_dependent, (void *) st);
}

/* The conjuncts of a qual, flattened. */
static List *
conjuncts(Node *qual)
{
	if (qual == NULL)
		return NIL;
	if (IsA(qual, List))
	{
		List	   *result = NIL;
		ListCell   *lc;

		foreach(lc, (List *) qual)
			result = list_concat(result, conjuncts(lfirst(lc)));
		return result;
	}
	if (is_andclause(qual))
		return conjuncts((Node *) ((BoolExpr *) qual)->args);
	return list_make1(qual);
}

/* Collect the inner join quals of a subquery's FROM into *quals. */
static void
collect_from(PjState *st, Node *item, List **quals)
{
	if (IsA(item, RangeTblRef))
		return;
	if (IsA(item, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) item;

		if (j->jointype != JOIN_INNER)
			pj_unsupported(st, -1, "an outer join inside a subquery",
						   "Join the tables of an array subquery with JOIN ... ON.");
		if (j->usingClause != NIL || j->isNatural)
			pj_unsupported(st, -1, "JOIN USING or NATURAL JOIN",
						   "Write the join condition with ON.");
		collect_from(st, j->larg, quals);
		collect_from(st, j->rarg, quals);
		*quals = list_concat(*quals, conjuncts(j->quals));
		return;
	}
	pj_unsupported(st, -1, "this kind of FROM item", NULL);
}

/* Whether a column is declared NOT NULL. */
static bool
column_not_null(Oid relid, AttrNumber att)
{
	Relation	rel = table_open(relid, AccessShareLock);
	bool		result = TupleDescAttr(RelationGetDescr(rel), att - 1)->attnotnull;

	table_close(rel, AccessShareLock);
	return result;
}

/* An operator as SQL that names it whatever the search path. */
static char *
operator_sql(Oid opno)
{
	HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	Form_pg_operator op;
	char	   *result;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	op = (Form_pg_operator) GETSTRUCT(tup);
	result = psprintf("OPERATOR(%s.%s)",
					  quote_identifier(get_namespace_name(op->oprnamespace)),
					  NameStr(op->oprname));
	ReleaseSysCache(tup);
	return result;
}

/*
 * Whether the elements of an array can be placed by position: every sort
 * key a column of the correlated table c or of a table joined below it
 * (rt_node maps the subquery's tables to their nodes), sorted by its
 * type's default order (either direction, NULLs first or last), so that
 * whether a row sorts before another can be written as SQL.  Sets c's
 * positional to "<" or ">" when that is a row comparison (one direction,
 * NOT NULL columns, built-in operators), else to "lex", followed by five
 * strings a sort key: the node of its table, the column, its ordering
 * operator, its equality operator, and "first" or "last" for its NULLs.
 */
static void
plan_positions(PjState *st, Query *sq, Aggref *agg, int *rt_node, int corr_node)
{
	PjNode	   *c = list_nth(st->nodes, corr_node);
	List	   *keys = NIL;
	bool		row = true;
	int			dir = 0;
	ListCell   *lc;

	foreach(lc, agg->aggorder)
	{
		SortGroupClause *sgc = lfirst(lc);
		Node	   *expr = (Node *) get_sortgroupclause_tle(sgc, agg->args)->expr;
		Var		   *v = plain_var(expr);
		TypeCacheEntry *tc;
		Oid			relid;
		char	   *op;
		int			d;

		if (v == NULL || v->varlevelsup != 0 || rt_node[v->varno] < corr_node ||
			exprCollation(expr) != v->varcollid)
			return;
		relid = rt_fetch(v->varno, sq->rtable)->relid;
		tc = lookup_type_cache(v->vartype,
							   TYPECACHE_LT_OPR | TYPECACHE_GT_OPR | TYPECACHE_EQ_OPR);
		if (sgc->sortop == tc->lt_opr)
			d = 1;
		else if (sgc->sortop == tc->gt_opr)
			d = -1;
		else
			return;
		if (!OidIsValid(tc->eq_opr))
			return;
		op = operator_sql(sgc->sortop);
		if ((dir != 0 && d != dir) || !column_not_null(relid, v->varattno) ||
			strncmp(op, "OPERATOR(pg_catalog.", 20) != 0)
			row = false;
		dir = d;
		keys = lappend(keys, psprintf("%d", rt_node[v->varno]));
		keys = lappend(keys, get_attname(relid, v->varattno, false));
		keys = lappend(keys, op);
		keys = lappend(keys, operator_sql(tc->eq_opr));
		keys = lappend(keys, sgc->nulls_first ? "first" : "last");
	}
	if (keys != NIL)
		c->positional = lcons(row ? (dir > 0 ? "<" : ">") : "lex", keys);
}

/*
 * A correlated scalar subquery: either a parent (one table, no aggregate,
 * correlated on a unique column) or a child array (jsonb_agg over tables
 * joined by equalities, correlated by one equality with the root).
 */
static void
analyze_sublink(PjState *st, SubLink *sl, int *outer_rt_node, List *path)
{
	Query	   *sq = (Query *) sl->subselect;
	int			location = sl->location;
	int		   *rt_node;
	List	   *quals = NIL;
	List	   *edges = NIL;
	Var		   *corr_inner = NULL;
	Var		   *corr_outer = NULL;
	ListCell   *lc;
	TargetEntry *te;
	int			ntables = 0;
	int			corr_node;
	int			outer_node = -1;
	bool		progress;
	PjWalk		w;
	List	   *filters = NIL;

	check_stack_depth();
	check_query_clauses(st, sq, false);
	rt_node = check_range_table(st, sq);
	if (contain_vars_of_level((Node *) sq, 2))
		pj_unsupported(st, location, "a reference to a query two levels up",
					   "Correlate a subquery with its enclosing query only.");
	foreach(lc, sq->rtable)
		if (((RangeTblEntry *) lfirst(lc))->rtekind == RTE_RELATION)
			ntables++;

	foreach(lc, sq->jointree->fromlist)
		collect_from(st, lfirst(lc), &quals);
	quals = list_concat(quals, conjuncts(sq->jointree->quals));
	if (contain_subplans((Node *) quals))
		pj_unsupported(st, location, "a subquery in the WHERE or JOIN of a subquery", NULL);

	/* sort the conjuncts: the correlation, join edges, filters */
	foreach(lc, quals)
	{
		Node	   *q = lfirst(lc);
		OpExpr	   *op = IsA(q, OpExpr) ? (OpExpr *) q : NULL;
		Var		   *l = NULL;
		Var		   *r = NULL;

		if (op && list_length(op->args) == 2 && is_equality(op->opno))
		{
			l = plain_var(linitial(op->args));
			r = plain_var(lsecond(op->args));
		}
		if (contain_vars_of_level(q, 1))
		{
			if (!l || !r || l->varlevelsup == r->varlevelsup)
				pj_unsupported(st, exprLocation(q), "this correlation",
							   "Correlate a subquery by one equality between a column of its table and a column of a table of the enclosing query.");
			if (corr_inner != NULL)
				pj_unsupported(st, exprLocation(q), "a second correlation",
							   "Correlate a subquery by one equality.");
			corr_inner = l->varlevelsup == 0 ? l : r;
			corr_outer = l->varlevelsup == 0 ? r : l;
			outer_node = outer_rt_node[corr_outer->varno];
			if (outer_node < 0)
				pj_unsupported(st, exprLocation(q), "a correlation with this table", NULL);
		}
		else if (l && r && l->varno != r->varno)
			edges = lappend(edges, op);
		else
		{
			if (contain_volatile_functions(q))
				pj_unsupported(st, exprLocation(q), "a volatile function", NULL);
			filters = lappend(filters, q);
		}
	}
	if (corr_inner == NULL)
		pj_unsupported(st, location, "an uncorrelated subquery",
					   "Correlate the subquery with a table of the enclosing query by an equality.");

	if (list_length(sq->targetList) != 1)
		elog(ERROR, "scalar subquery with %d columns", list_length(sq->targetList));
	te = linitial(sq->targetList);
	if (contain_vars_of_level((Node *) te->expr, 1))
		pj_unsupported(st, exprLocation((Node *) te->expr),
					   "a reference to the outer query in a subquery's result", NULL);

	if (!sq->hasAggs)
	{
		/* a parent: one row at most, found by a unique column */
		RangeTblEntry *rte = rt_fetch(corr_inner->varno, sq->rtable);

		if (ntables != 1)
			pj_unsupported(st, location, "a scalar subquery over several tables without jsonb_agg", NULL);
		if (!unique_within(rte->relid, bms_make_singleton(corr_inner->varattno), 0))
			pj_unsupported(st, location, "a scalar subquery correlated on a column that is not unique",
						   "Correlate a parent subquery on the parent's primary key.");
		corr_node = add_node(st, rte->relid, outer_node, corr_inner->varattno,
							 corr_outer->varattno, "parent", path);
		rt_node[corr_inner->varno] = corr_node;

		/* arrays and parents of this parent */
		w.st = st;
		w.rt_node = rt_node;
		w.path = path;
		walk_expr((Node *) te->expr, &w);

		if (list_length(quals) == 1 && outer_node == 0 &&
			!contain_subplans((Node *) te->expr))
		{
			/* its value is the row's expression alone: it can be merged */
			st->parent_links = lappend(st->parent_links, sl);
			st->parent_nodes = lappend_int(st->parent_nodes, corr_node);
			((PjNode *) list_nth(st->nodes, corr_node))->value = (Node *) te->expr;
			((PjNode *) list_nth(st->nodes, corr_node))->value_varno = corr_inner->varno;
			((PjNode *) list_nth(st->nodes, corr_node))->merge =
				list_make1(deparse_over((Node *) te->expr, corr_inner->varno, rte->relid));
		}
		return;
	}

	/* a child array: SELECT jsonb_agg(element ORDER BY ...) */
	{
		Aggref	   *agg = IsA(te->expr, Aggref) ? (Aggref *) te->expr : NULL;
		RangeTblEntry *crte;
		Bitmapset  *sortcols = NULL;
		List	   *remaining = NIL;

		if (agg == NULL || !is_catalog_function(agg->aggfnoid, "jsonb_agg"))
			pj_unsupported(st, exprLocation((Node *) te->expr),
						   agg ? psprintf("the aggregate %s", get_func_name(agg->aggfnoid)) :
						   "an expression around an aggregate",
						   "An array subquery selects jsonb_agg(element ORDER BY ...) alone; wrap the subquery in COALESCE(..., '[]') for empty arrays.");
		if (agg->aggdistinct != NIL)
			pj_unsupported(st, agg->location, "jsonb_agg(DISTINCT ...)", NULL);
		if (agg->aggfilter != NULL)
			pj_unsupported(st, agg->location, "an aggregate FILTER", "Filter the rows in WHERE.");
		if (agg->aggorder == NIL)
			pj_unsupported(st, agg->location, "jsonb_agg without ORDER BY",
						   "Order the elements by a unique sort key: jsonb_agg(element ORDER BY key).");

		corr_node = add_node(st, rt_fetch(corr_inner->varno, sq->rtable)->relid, outer_node,
							 corr_inner->varattno, corr_outer->varattno,
							 "child", path);
		rt_node[corr_inner->varno] = corr_node;

		/* attach the other tables through the join edges, nearest first */
		do
		{
			progress = false;
			remaining = NIL;
			foreach(lc, edges)
			{
				OpExpr	   *op = lfirst(lc);
				Var		   *l = plain_var(linitial(op->args));
				Var		   *r = plain_var(lsecond(op->args));
				Var		   *known = rt_node[l->varno] >= 0 ? l : r;
				Var		   *other = known == l ? r : l;

				if (rt_node[l->varno] >= 0 && rt_node[r->varno] >= 0)
					continue;	/* a second path: only a filter */
				if (rt_node[known->varno] < 0)
				{
					remaining = lappend(remaining, op);
					continue;
				}
				if (!unique_within(rt_fetch(other->varno, sq->rtable)->relid,
								   bms_make_singleton(other->varattno), 0))
					pj_unsupported(st, op->location,
								   psprintf("joining \"%s\" by a column that is not unique",
											get_rel_name(rt_fetch(other->varno, sq->rtable)->relid)),
								   "Join each further table of an array subquery by its primary key, so that each row of the correlated table gives one element.");
				rt_node[other->varno] =
					add_node(st, rt_fetch(other->varno, sq->rtable)->relid,
							 rt_node[known->varno], other->varattno,
							 known->varattno, "joined", path);
				progress = true;
			}
			edges = remaining;
		} while (progress && edges != NIL);

		foreach(lc, sq->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			if (rte->rtekind == RTE_RELATION &&
				rt_node[foreach_current_index(lc) + 1] < 0)
				pj_unsupported(st, location,
							   psprintf("a table not joined by an equality (\"%s\")",
										get_rel_name(rte->relid)),
							   "Join every table of an array subquery by an equality with a table already joined.");
		}

		/* arrays and parents inside the elements; none in the sort keys */
		foreach(lc, agg->args)
		{
			TargetEntry *ate = lfirst(lc);

			if (foreach_current_index(lc) > 0 && contain_subplans((Node *) ate->expr))
				pj_unsupported(st, exprLocation((Node *) ate->expr),
							   "a subquery in ORDER BY", NULL);
		}
		w.st = st;
		w.rt_node = rt_node;
		w.path = path;
		walk_expr((Node *) ((TargetEntry *) linitial(agg->args))->expr, &w);

		/*
		 * The element order must be total within a group: the correlation
		 * column and the sort keys (mapped to the correlated table through
		 * the join edges) must cover a unique index of the correlated table.
		 */
		crte = rt_fetch(corr_inner->varno, sq->rtable);
		sortcols = bms_make_singleton(corr_inner->varattno);
		foreach(lc, agg->aggorder)
		{
			SortGroupClause *sgc = lfirst(lc);
			TargetEntry *ste = get_sortgroupclause_tle(sgc, agg->args);
			Var		   *v = plain_var((Node *) ste->expr);

			if (v == NULL)
				continue;
			if (v->varno == corr_inner->varno)
				sortcols = bms_add_member(sortcols, v->varattno);
			else
			{
				/* a column equal to one of the correlated table */
				PjNode	   *n = list_nth(st->nodes, rt_node[v->varno]);

				if (n->up == corr_node && n->col == v->varattno)
					sortcols = bms_add_member(sortcols, n->up_col);
			}
		}
		/*
		 * An element built from the columns of one table T: an UPDATE of a
		 * T row that changes no column read elsewhere (join, sort) rewrites
		 * its element only, found by its exact old value.  That value is
		 * the row's own only when every row linked to the root is in the
		 * array: no filter, and no table but T and those between T and the
		 * correlated table (whose rows an inner join could drop).
		 */
		{
			Node	   *elem = (Node *) ((TargetEntry *) linitial(agg->args))->expr;
			Index		t = 0;
			int			on_path = 0;
			bool		wholerow = false;

			/* the table farthest from c: all tables must lie above it */
			for (int r = 1; r <= list_length(sq->rtable); r++)
			{
				int			depth = 0;

				if (rt_node[r] < 0)
					continue;
				for (int k = rt_node[r]; k >= corr_node;
					 k = ((PjNode *) list_nth(st->nodes, k))->up)
					depth++;
				if (depth > on_path)
				{
					on_path = depth;
					t = r;
				}
				wholerow |= vars_in(elem, r)->wholerow ||
					vars_in((Node *) agg->args, r)->wholerow ||
					vars_in((Node *) quals, r)->wholerow;
			}
			/* filters read the tables of the chain (the quals' whole rows) */
			if (!wholerow && list_length(quals) == ntables + list_length(filters) &&
				on_path == ntables)
			{
				Bitmapset  *elsewhere = vars_in((Node *) quals, t)->atts;
				PjNode	   *tn = list_nth(st->nodes, rt_node[t]);
				Oid			trel = rt_fetch(t, sq->rtable)->relid;

				foreach(lc, agg->args)
					if (foreach_current_index(lc) > 0)
						elsewhere = bms_union(elsewhere,
											  vars_in((Node *) ((TargetEntry *) lfirst(lc))->expr, t)->atts);
				/*
				 * a sort key that is the element itself (jsonb_agg(g.name
				 * ORDER BY g.name)) is the element's argument, not one of
				 * its own: read elsewhere too, so that its change moves
				 */
				foreach(lc, agg->aggorder)
					elsewhere = bms_union(elsewhere,
										  vars_in((Node *) get_sortgroupclause_tle(lfirst(lc),
																				  agg->args)->expr, t)->atts);
				{
					/* the array's filter, one expression */
					Node	   *f = filters ? (Node *) make_ands_explicit(filters) : NULL;

					elsewhere = bms_add_member(elsewhere, tn->col);
					tn->element = list_make2(deparse_path(elem, sq, rt_node, t, "n"),
											 deparse_path(elem, sq, rt_node, t, "o"));
					for (int a = -1; (a = bms_next_member(elsewhere, a)) >= 0;)
						tn->compare = lappend(tn->compare, get_attname(trel, a, false));
					st->array_links = lappend(st->array_links, sl);
					st->array_nodes = lappend_int(st->array_nodes, rt_node[t]);
					plan_positions(st, sq, agg, rt_node, corr_node);
					((PjNode *) list_nth(st->nodes, corr_node))->element_node = rt_node[t];
					tn->array_node = corr_node;
					if (f && t == (Index) corr_inner->varno)
					{
						/* the filter over the correlated table as n, o, g, ek */
						Oid			crel = rt_fetch(corr_inner->varno, sq->rtable)->relid;
						PjNode	   *cn = list_nth(st->nodes, corr_node);

						cn->filter = list_make4(deparse_as(f, corr_inner->varno, crel, "n"),
												deparse_as(f, corr_inner->varno, crel, "o"),
												deparse_as(f, corr_inner->varno, crel, "g"),
												deparse_as(f, corr_inner->varno, crel,
														   psprintf("e%d", corr_node)));
					}
					else if (f)
					{
						/*
						 * The filter over the tables of the chain: as the
						 * rows of the array's group (the correlated table
						 * g, the element table g_elem, each other table
						 * of node k gk), and as a changed row's (its
						 * element table n, each other table ek; the
						 * aliases n and o stand for a one-table array
						 * only, where no join is), and fifth with the
						 * element table's old row o
						 */
						char	   *ek = deparse_path(f, sq, rt_node, t, "n");

						((PjNode *) list_nth(st->nodes, corr_node))->filter =
							lappend(list_make4(ek, ek,
											   deparse_names(f, sq, rt_node, t, "g_elem",
															 corr_inner->varno, "g", "g"),
											   ek),
									deparse_path(f, sq, rt_node, t, "o"));
					}

					/*
					 * The tables between c and T: an UPDATE that keeps a
					 * row's links (up, and down toward T) rewrites its
					 * elements, removed as built from the old row and
					 * inserted at their positions from the new one
					 */
					for (int r = 1; r <= list_length(sq->rtable); r++)
					{
						PjNode	   *m;

						if (rt_node[r] < 0 || (Index) r == t || (Index) r == (Index) corr_inner->varno)
							continue;
						m = list_nth(st->nodes, rt_node[r]);
						m->array_node = corr_node;
						for (PjNode *k = tn; k->up >= 0; k = list_nth(st->nodes, k->up))
							if (k->up == rt_node[r])
								m->down_col = k->up_col;
						m->middle = list_make4(deparse_path(elem, sq, rt_node, r, "n"),
											   deparse_path(elem, sq, rt_node, r, "o"),
											   f ? deparse_path(f, sq, rt_node, r, "n") : NULL,
											   f ? deparse_path(f, sq, rt_node, r, "o") : NULL);
					}
				}
			}
		}

		if (!unique_within(crte->relid, sortcols, corr_inner->varattno))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("the order of the elements of \"%s\" is not determined", path_text(path)),
					 errdetail("No unique index of \"%s\" is covered by the correlation column and the sort keys, so rows may tie.",
							   get_rel_name(crte->relid)),
					 errhint("Add a unique sort key to jsonb_agg's ORDER BY, such as the primary key of \"%s\".",
							 get_rel_name(crte->relid)),
					 internalerrposition(agg->location + 1),
					 internalerrquery(st->query_text)));
	}
}

/*
 * An expression over the tables of an array subquery, as SQL text: the
 * table bottom aliased bottom_alias, the table corr (if not 0) corr_alias,
 * every other table of node k prefix followed by k.
 */
static char *
deparse_names(Node *expr, Query *sq, int *rt_node, Index bottom,
			  const char *bottom_alias, Index corr, const char *corr_alias,
			  const char *prefix)
{
	PlannedStmt *ps = makeNode(PlannedStmt);
	List	   *names = NIL;

	for (int r = 1; r <= list_length(sq->rtable); r++)
		names = lappend(names, (Index) r == bottom ? pstrdup(bottom_alias) :
						(Index) r == corr ? pstrdup(corr_alias) :
						rt_node[r] >= 0 ? psprintf("%s%d", prefix, rt_node[r]) : NULL);
	ps->rtable = sq->rtable;
	return deparse_expression(expr, deparse_context_for_plan_tree(ps, names),
							  true, false);
}

/* The same, every table but bottom of node k aliased ek. */
static char *
deparse_path(Node *expr, Query *sq, int *rt_node, Index bottom,
			 const char *bottom_alias)
{
	return deparse_names(expr, sq, rt_node, bottom, bottom_alias, 0, NULL, "e");
}

/* An expression over one table, as SQL text with that table aliased. */
static char *
deparse_as(Node *expr, Index varno, Oid relid, const char *alias)
{
	Node	   *copy = copyObject(expr);

	ChangeVarNodes(copy, varno, 1, 0);
	return deparse_expression(copy, deparse_context_for(alias, relid), true, false);
}

/* An expression over one table, aliased n. */
static char *
deparse_over(Node *expr, Index varno, Oid relid)
{
	return deparse_as(expr, varno, relid, "n");
}


/* Walker: note the Vars of c->level (and whether a subquery is met). */
static bool
collect_vars(Node *node, VarCollect *c)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *v = (Var *) node;

		if ((int) v->varlevelsup == c->level)
		{
			c->varnos = bms_add_member(c->varnos, v->varno);
			if ((Index) v->varno == c->varno)
			{
				if (v->varattno <= 0)
					c->wholerow = true;
				else
					c->atts = bms_add_member(c->atts, v->varattno);
			}
		}
		return false;
	}
	if (IsA(node, SubLink))
		c->sublink = true;
	if (IsA(node, Query))
	{
		bool		result;

		c->level++;
		result = query_tree_walker((Query *) node, collect_vars, (void *) c, 0);
		c->level--;
		return result;
	}
	return expression_tree_walker(node, collect_vars, (void *) c);
}

/* What an expression reads of range table entry varno, at its level. */
static VarCollect
vars_of(Node *node, Index varno)
{
	VarCollect	c = {varno, 0, NULL, false, NULL, false};

	collect_vars(node, &c);
	return c;
}

/* vars_of, in palloc'd memory, for use inside expressions. */
static VarCollect *
vars_in(Node *node, Index varno)
{
	VarCollect *c = palloc(sizeof(VarCollect));

	*c = vars_of(node, varno);
	return c;
}

/*
 * A root column that links a parent whose keys merge (a LEFT JOIN on it, or
 * a scalar subquery correlated with it) need not force a recompute when it
 * changes: the root's merge reads the new parent and rewrites its keys too.
 * That holds when the column is read nowhere else: not in WHERE, another
 * join, a column other than one read from the root row alone (which the
 * merge sets too), or a key that is neither the root's nor a merging
 * parent's.  Adds those keys, joins and columns to the root's merge;
 * returns the root columns read elsewhere.
 */
static Bitmapset *
merge_parents(PjState *st, Query *q, int *rt_node, Index root_rti,
			  TargetEntry *data_te, List *keys, int *owner)
{
	PjNode	   *root = linitial(st->nodes);
	FuncExpr   *f = (FuncExpr *) data_te->expr;
	Bitmapset  *kept = vars_of(q->jointree->quals, root_rti).atts;
	ListCell   *lc;

	/* other columns: those read from the root row alone are merged too */
	foreach(lc, q->targetList)
	{
		TargetEntry *te = lfirst(lc);
		VarCollect	c;

		if (te == data_te || te->resjunk || foreach_current_index(lc) == 0)
			continue;
		c = vars_of((Node *) te->expr, root_rti);
		if (!c.sublink && !c.wholerow &&
			bms_is_subset(c.varnos, bms_make_singleton(root_rti)))
			root->columns = lappend(lappend(root->columns, te->resname),
									deparse_over((Node *) te->expr, root_rti, root->relid));
		else
			kept = bms_union(kept, c.atts);
	}
	for (int i = 0; i < list_length(f->args); i += 2)
	{
		int			o = owner[i / 2];

		if (o != 0 && (o < 0 || ((PjNode *) list_nth(st->nodes, o))->merge == NIL))
			kept = bms_union(kept, vars_of((Node *) list_nth(f->args, i + 1), root_rti).atts);
	}
	/* the join conditions of parents that do not merge, or by inner join */
	foreach(lc, st->nodes)
	{
		PjNode	   *n = lfirst(lc);

		if (n->up == 0 && strcmp(n->role, "parent") == 0 &&
			(n->merge == NIL || (n->value == NULL && !n->outer_join)))
			kept = bms_add_member(kept, n->up_col);
	}

	foreach(lc, st->nodes)
	{
		PjNode	   *n = lfirst(lc);
		int			ni = foreach_current_index(lc);
		char	   *alias = psprintf("p%d", ni);
		char	   *rel;
		char	   *schema;
		char	   *table;

		if (n->up != 0 || strcmp(n->role, "parent") != 0 || n->merge == NIL ||
			(n->value == NULL && !n->outer_join) || bms_is_member(n->up_col, kept))
			continue;
		relation_names(st, n->relid, &schema, &table);
		rel = quote_qualified_identifier(schema, table);
		for (int i = 0; i < list_length(f->args); i += 2)
		{
			Node	   *v = (Node *) list_nth(f->args, i + 1);
			char	   *expr;

			if (owner[i / 2] != ni)
				continue;
			if (n->value != NULL)
				expr = psprintf("(SELECT %s FROM %s %s WHERE %s.%s = n.%s)",
								deparse_as(n->value, n->value_varno, n->relid, alias),
								rel, alias, alias,
								quote_identifier(get_attname(n->relid, n->col, false)),
								quote_identifier(get_attname(root->relid, n->up_col, false)));
			else
			{
				Index		rti = 0;

				for (int r = 1; r <= list_length(q->rtable); r++)
					if (rt_node[r] == ni)
						rti = r;
				expr = deparse_as(v, rti, n->relid, alias);
			}
			root->merge = lappend(lappend(root->merge, list_nth(keys, i / 2)), expr);
		}
		if (n->value == NULL)
			root->joins = lappend(root->joins,
								  psprintf("LEFT JOIN %s %s ON %s.%s = n.%s", rel, alias, alias,
										   quote_identifier(get_attname(n->relid, n->col, false)),
										   quote_identifier(get_attname(root->relid, n->up_col, false))));
	}
	return kept;
}

/*
 * Decide which keys of data a change of the root row or of a parent row
 * rewrites by a merge.  data must be one jsonb_build_object with constant,
 * distinct keys.  A key whose value reads only root columns is the root's;
 * one whose value reads only a joined parent's columns, or is a parent's
 * scalar subquery, is that parent's.  The root merges only while the
 * columns read elsewhere do not change (compare); a parent read anywhere
 * else is recomputed.
 */
static bool
plan_merges(PjState *st, Query *q, int *rt_node, Index root_rti,
			TargetEntry *data_te)
{
	FuncExpr   *f = (FuncExpr *) data_te->expr;
	int			nargs;
	int		   *owner;			/* per pair: node that owns it, or -1 */
	Bitmapset  *elsewhere = NULL;	/* root columns read outside root keys */
	bool		root_wholerow = false;
	List	   *keys = NIL;
	PjNode	   *root = linitial(st->nodes);
	ListCell   *lc;

	if (!IsA(f, FuncExpr) || !is_catalog_function(f->funcid, "jsonb_build_object"))
	{
		/*
		 * Any other document read from the root row alone: an UPDATE
		 * rebuilds it from the row (the key "" stands for the document).
		 */
		VarCollect	c = vars_of((Node *) data_te->expr, root_rti);

		if (c.sublink || c.wholerow || st->parent_links != NIL ||
			!bms_is_subset(c.varnos, bms_make_singleton(root_rti)))
			return false;
		root->merge = list_make2("", deparse_over((Node *) data_te->expr,
												  root_rti, root->relid));
		c = vars_of((Node *) q->jointree, root_rti);
		elsewhere = c.atts;
		root_wholerow = c.wholerow;
		foreach(lc, q->targetList)
		{
			TargetEntry *te = lfirst(lc);

			if (te == data_te)
				continue;
			c = vars_of((Node *) te->expr, root_rti);
			elsewhere = bms_union(elsewhere, c.atts);
			root_wholerow |= c.wholerow;
		}
		if (root_wholerow)
			return false;
		elsewhere = bms_add_member(elsewhere, root->col);
		for (int a = -1; (a = bms_next_member(elsewhere, a)) >= 0;)
			root->compare = lappend(root->compare, get_attname(root->relid, a, false));
		return true;
	}
	nargs = list_length(f->args);
	if (nargs == 0 || nargs % 2 != 0)
		return false;
	owner = palloc(sizeof(int) * nargs / 2);
	for (int i = 0; i < nargs; i += 2)
	{
		Const	   *k = (Const *) list_nth(f->args, i);
		Node	   *v = (Node *) list_nth(f->args, i + 1);
		char	   *key;
		VarCollect	c;

		if (!IsA(k, Const) || k->constisnull ||
			(k->consttype != TEXTOID && k->consttype != UNKNOWNOID))
			return false;
		key = k->consttype == TEXTOID ? TextDatumGetCString(k->constvalue) :
			pstrdup(DatumGetCString(k->constvalue));
		foreach(lc, keys)
			if (strcmp(lfirst(lc), key) == 0)
				return false;	/* a key twice: the last one wins */
		keys = lappend(keys, key);

		owner[i / 2] = -1;
		c = vars_of(v, root_rti);
		if (IsA(v, SubLink) && list_member_ptr(st->parent_links, v))
		{
			foreach(lc, st->parent_links)
				if (lfirst(lc) == (void *) v)
					owner[i / 2] = list_nth_int(st->parent_nodes,
												foreach_current_index(lc));
		}
		else if (!c.sublink && !c.wholerow &&
				 bms_is_subset(c.varnos, bms_make_singleton(root_rti)))
			owner[i / 2] = 0;
		else if (!c.sublink && bms_num_members(c.varnos) == 1 &&
				 rt_node[bms_singleton_member(c.varnos)] > 0)
		{
			int			p = rt_node[bms_singleton_member(c.varnos)];

			if (!vars_of(v, bms_singleton_member(c.varnos)).wholerow)
				owner[i / 2] = p;
		}
		if (owner[i / 2] != 0)
		{
			elsewhere = bms_union(elsewhere, c.atts);
			root_wholerow |= c.wholerow;
		}
	}

	/* root columns read by the filter, the joins and the other columns */
	{
		VarCollect	c = vars_of((Node *) q->jointree, root_rti);

		elsewhere = bms_union(elsewhere, c.atts);
		root_wholerow |= c.wholerow;
	}
	foreach(lc, q->targetList)
	{
		TargetEntry *te = lfirst(lc);
		VarCollect	c;

		if (te == data_te)
			continue;
		c = vars_of((Node *) te->expr, root_rti);
		elsewhere = bms_union(elsewhere, c.atts);
		root_wholerow |= c.wholerow;
	}

	/* a joined parent read outside its keys (the filter, other columns) */
	foreach(lc, st->nodes)
	{
		PjNode	   *n = lfirst(lc);
		int			ni = foreach_current_index(lc);
		Index		rti = 0;
		bool		alone = true;

		if (strcmp(n->role, "parent") != 0 || n->merge != NIL)
			continue;
		for (int r = 1; r <= list_length(q->rtable); r++)
			if (rt_node[r] == ni)
				rti = r;
		if (rti == 0)
			continue;
		if (bms_is_member(rti, vars_of(q->jointree->quals, rti).varnos))
			alone = false;
		for (int i = 0; i < nargs; i += 2)
			if (owner[i / 2] != ni &&
				bms_is_member(rti, vars_of((Node *) list_nth(f->args, i + 1), rti).varnos))
				alone = false;
		{
			ListCell   *lc2;

			foreach(lc2, q->targetList)
			{
				TargetEntry *te = lfirst(lc2);

				if (te != data_te &&
					bms_is_member(rti, vars_of((Node *) te->expr, rti).varnos))
					alone = false;
			}
		}
		if (!alone)
			continue;
		for (int i = 0; i < nargs; i += 2)
			if (owner[i / 2] == ni)
				n->merge = lappend(lappend(n->merge, list_nth(keys, i / 2)),
								   deparse_over((Node *) list_nth(f->args, i + 1),
												rti, n->relid));
	}

	/* a parent read by subquery: its one expression becomes its key's */
	foreach(lc, st->parent_links)
	{
		int			ni = list_nth_int(st->parent_nodes, foreach_current_index(lc));
		PjNode	   *n = list_nth(st->nodes, ni);
		char	   *expr = linitial(n->merge);
		int			found = -1;

		for (int i = 0; i < nargs; i += 2)
			if (owner[i / 2] == ni)
				found = i / 2;
		n->merge = found < 0 ? NIL : list_make2(list_nth(keys, found), expr);
	}

	/* an array of one table's elements: the key it is the value of */
	foreach(lc, st->array_links)
	{
		PjNode	   *n = list_nth(st->nodes, list_nth_int(st->array_nodes,
														 foreach_current_index(lc)));
		char	   *key = NULL;

		for (int i = 0; i < nargs; i += 2)
		{
			Node	   *v = (Node *) list_nth(f->args, i + 1);
			char	   *empty = "'null'::jsonb";

			if (IsA(v, CoalesceExpr))
			{
				List	   *args = ((CoalesceExpr *) v)->args;

				v = (Node *) linitial(args);
				empty = list_length(args) == 2 && IsA(lsecond(args), Const) ?
					deparse_expression(lsecond(args), NIL, false, false) : NULL;
			}
			if (v == lfirst(lc))
			{
				key = list_nth(keys, i / 2);
				n->empty = empty;
			}
		}
		if (key != NULL && list_length(n->element) == 2)
			n->element = lcons(key, n->element);
		else
			n->element = NIL;
	}
	foreach(lc, st->nodes)
	{
		PjNode	   *c = lfirst(lc);

		if (c->positional != NIL &&
			((PjNode *) list_nth(st->nodes, c->element_node))->element != NIL)
			c->positional =
				lcons(linitial(((PjNode *) list_nth(st->nodes, c->element_node))->element),
					  c->positional);
		else
			c->positional = NIL;
	}

	/*
	 * A node inside the element of an array placed by position, below a
	 * subquery of that element (a nested array, a parent read by scalar
	 * subquery): its rows change elements but never which rows of the
	 * array's correlated table have one, so each changed element is
	 * rebuilt in place, at its position.  Not for a table read twice.
	 */
	foreach(lc, st->nodes)
	{
		PjNode	   *n = lfirst(lc);
		bool		below_subquery = false;
		bool		once = true;
		ListCell   *other;

		foreach(other, st->nodes)
			if (lfirst(other) != n && ((PjNode *) lfirst(other))->relid == n->relid)
				once = false;
		for (PjNode *k = n; once && k->up >= 0; k = list_nth(st->nodes, k->up))
		{
			PjNode	   *up = list_nth(st->nodes, k->up);

			below_subquery |= strcmp(k->role, "joined") != 0;
			if (up->positional != NIL)
			{
				if (below_subquery)
					n->outer = k->up;
				break;
			}
		}
	}

	/* the root's keys */
	if (!root_wholerow)
	{
		for (int i = 0; i < nargs; i += 2)
			if (owner[i / 2] == 0)
				root->merge = lappend(lappend(root->merge, list_nth(keys, i / 2)),
									  deparse_over((Node *) list_nth(f->args, i + 1),
												   root_rti, root->relid));
		elsewhere = merge_parents(st, q, rt_node, root_rti, data_te, keys,
								  owner);
		elsewhere = bms_add_member(elsewhere, root->col);
		for (int a = -1; (a = bms_next_member(elsewhere, a)) >= 0;)
			root->compare = lappend(root->compare, get_attname(root->relid, a, false));
	}
	return true;
}

/* Append "key": "value" (or null) to a JSON object under construction. */
static void
json_field(StringInfo s, const char *key, const char *value)
{
	if (s->data[s->len - 1] != '{')
		appendStringInfoString(s, ", ");
	escape_json(s, key);
	appendStringInfoString(s, ": ");
	if (value)
		escape_json(s, value);
	else
		appendStringInfoString(s, "null");
}

/* Append a list of strings as a JSON array, or null for none. */
static void
json_strings(StringInfo s, List *strings)
{
	ListCell   *lc;

	if (strings == NIL)
	{
		appendStringInfoString(s, "null");
		return;
	}
	appendStringInfoChar(s, '[');
	foreach(lc, strings)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(s, ", ");
		if (lfirst(lc))
			escape_json(s, lfirst(lc));
		else
			appendStringInfoString(s, "null");
	}
	appendStringInfoChar(s, ']');
}

/*
 * jsonb_ivm_analyze_projection(query text) returns jsonb: the description
 * of a projection query, or an error naming what is not supported.
 */
PG_FUNCTION_INFO_V1(jsonb_ivm_analyze_projection);
Datum
jsonb_ivm_analyze_projection(PG_FUNCTION_ARGS)
{
	char	   *sql;
	PjState		st = {0};
	char	   *definition = NULL;
	List	   *raw;
	Query	   *q;
	int		   *rt_node;
	RangeTblEntry *root_rte;
	int			root_rti;
	Node	   *from;
	AttrNumber	pk;
	TargetEntry *key_te;
	bool		has_data = false;
	PjWalk		w;
	ListCell   *lc;
	StringInfoData s;
	int			save_nestlevel;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	st.query_text = sql;

	/*
	 * relations, names: the description names relations[i] as names[2i],
	 * names[2i + 1] (schema, table), and includes the query so renamed
	 */
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		Datum	   *rels;
		Datum	   *names;
		int			nrels;
		int			nnames;

		deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), OIDOID, sizeof(Oid), true,
						  TYPALIGN_INT, &rels, NULL, &nrels);
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, -1, false,
						  TYPALIGN_INT, &names, NULL, &nnames);
		if (nnames != 2 * nrels)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("names must hold a schema and a table for each relation")));
		for (int i = 0; i < nrels; i++)
		{
			st.renamed = lappend_oid(st.renamed, DatumGetObjectId(rels[i]));
			st.new_names = lappend(st.new_names, TextDatumGetCString(names[2 * i]));
			st.new_names = lappend(st.new_names, TextDatumGetCString(names[2 * i + 1]));
		}
	}

	raw = jb_raw_parser(sql);
	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a projection query must be one SELECT statement")));
	if (!IsA(((RawStmt *) linitial(raw))->stmt, SelectStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a projection query must be a SELECT statement")));
	if (st.renamed != NIL)
		definition = renamed_query(&st, linitial_node(RawStmt, raw)->stmt);
	q = jb_parse_analyze(linitial_node(RawStmt, raw), sql);

	check_query_clauses(&st, q, true);
	rt_node = check_range_table(&st, q);

	/* FROM root [LEFT JOIN parent ON parent.unique = root.column]... */
	if (list_length(q->jointree->fromlist) != 1)
		pj_unsupported(&st, -1, "a FROM list of several items",
					   "Read parents with LEFT JOIN ... ON or a scalar subquery.");
	from = linitial(q->jointree->fromlist);
	while (IsA(from, JoinExpr))
		from = ((JoinExpr *) from)->larg;
	if (!IsA(from, RangeTblRef))
		elog(ERROR, "unexpected FROM item");
	root_rti = ((RangeTblRef *) from)->rtindex;
	root_rte = rt_fetch(root_rti, q->rtable);
	pk = primary_key_column(root_rte->relid);
	if (pk == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("root table \"%s\" of a projection must have a primary key of one column",
						get_rel_name(root_rte->relid))));
	rt_node[root_rti] = add_node(&st, root_rte->relid, -1, pk, 0, "root", NIL);

	from = linitial(q->jointree->fromlist);
	while (IsA(from, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) from;
		OpExpr	   *op = IsA(j->quals, OpExpr) ? (OpExpr *) j->quals : NULL;
		Var		   *l = NULL;
		Var		   *r = NULL;
		Var		   *pv;
		Var		   *rv;

		if (j->jointype != JOIN_LEFT && j->jointype != JOIN_INNER)
			pj_unsupported(&st, -1, "a join other than LEFT JOIN or JOIN", NULL);
		if (j->usingClause != NIL || j->isNatural)
			pj_unsupported(&st, -1, "JOIN USING or NATURAL JOIN", "Write the join condition with ON.");
		if (!IsA(j->rarg, RangeTblRef))
			pj_unsupported(&st, -1, "a nested join on the right of a join", NULL);
		if (op && list_length(op->args) == 2 && is_equality(op->opno))
		{
			l = plain_var(linitial(op->args));
			r = plain_var(lsecond(op->args));
		}
		if (!l || !r)
			pj_unsupported(&st, exprLocation(j->quals), "this join condition",
						   "Join a parent by one equality: parent.primary_key = root.column.");
		pv = (int) l->varno == ((RangeTblRef *) j->rarg)->rtindex ? l : r;
		rv = pv == l ? r : l;
		if ((int) rv->varno != root_rti ||
			(int) pv->varno != ((RangeTblRef *) j->rarg)->rtindex)
			pj_unsupported(&st, exprLocation(j->quals), "a join condition that does not link a parent to the root table", NULL);
		if (!unique_within(rt_fetch(pv->varno, q->rtable)->relid,
						   bms_make_singleton(pv->varattno), 0))
			pj_unsupported(&st, exprLocation(j->quals), "joining a parent by a column that is not unique",
						   "Join a parent on its primary key.");
		rt_node[pv->varno] = add_node(&st, rt_fetch(pv->varno, q->rtable)->relid, 0,
									  pv->varattno, rv->varattno, "parent", NIL);
		((PjNode *) list_nth(st.nodes, rt_node[pv->varno]))->outer_join =
			j->jointype == JOIN_LEFT;
		from = j->larg;
	}

	/* the key and the document */
	key_te = linitial(q->targetList);
	if (!IsA(key_te->expr, Var) ||
		(int) ((Var *) key_te->expr)->varno != root_rti ||
		((Var *) key_te->expr)->varattno != pk)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("the first column of a projection query must be the primary key of its root table \"%s\"",
						get_rel_name(root_rte->relid))));
	foreach(lc, q->targetList)
	{
		TargetEntry *te = lfirst(lc);

		if (te->resjunk)
			continue;
		if (te->resname && strcmp(te->resname, "data") == 0)
		{
			if (exprType((Node *) te->expr) != JSONBOID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"data\" of a projection query must be of type jsonb")));
			has_data = true;
		}
	}
	if (!has_data)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("a projection query must have a jsonb column named \"data\"")));
	if (contain_volatile_functions((Node *) q))
		pj_unsupported(&st, -1, "a volatile function",
					   "A projection's documents must depend on its tables only.");
	find_session_dependent((Node *) q, &st);

	/*
	 * From here on, expressions are deparsed for the generated functions,
	 * which run with search_path = pg_catalog, pg_temp: deparse with that
	 * path, so that everything else is schema-qualified.
	 */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	w.st = &st;
	w.rt_node = rt_node;
	w.path = NIL;
	foreach(lc, q->targetList)
		walk_expr((Node *) ((TargetEntry *) lfirst(lc))->expr, &w);
	if (q->jointree->quals && contain_subplans(q->jointree->quals))
		pj_unsupported(&st, -1, "a subquery in WHERE", NULL);
	walk_expr(q->jointree->quals, &w);
	foreach(lc, q->targetList)
	{
		TargetEntry *te = lfirst(lc);

		if (!te->resjunk && strcmp(te->resname, "data") == 0 &&
			!plan_merges(&st, q, rt_node, root_rti, te))
		{
			ListCell   *lc2;

			foreach(lc2, st.nodes)
			{
				((PjNode *) lfirst(lc2))->merge = NIL;
				((PjNode *) lfirst(lc2))->element = NIL;
				((PjNode *) lfirst(lc2))->positional = NIL;
				((PjNode *) lfirst(lc2))->outer = -1;
			}
		}
	}

	AtEOXact_GUC(true, save_nestlevel);

	/* the description */
	initStringInfo(&s);
	appendStringInfoChar(&s, '{');
	json_field(&s, "key", key_te->resname);
	if (definition)
		json_field(&s, "definition", definition);
	appendStringInfoString(&s, ", \"nodes\": [");
	foreach(lc, st.nodes)
	{
		PjNode	   *n = lfirst(lc);
		PjNode	   *up = n->up >= 0 ? list_nth(st.nodes, n->up) : NULL;
		char	   *schema;
		char	   *table;

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(&s, ", ");
		appendStringInfoChar(&s, '{');
		json_field(&s, "role", n->role);
		relation_names(&st, n->relid, &schema, &table);
		json_field(&s, "schema", schema);
		json_field(&s, "table", table);
		json_field(&s, "col", get_attname(n->relid, n->col, false));
		json_field(&s, "up_col", up ? get_attname(up->relid, n->up_col, false) : NULL);
		json_field(&s, "path", n->path);
		appendStringInfoString(&s, ", \"merge\": ");
		json_strings(&s, n->merge);
		appendStringInfoString(&s, ", \"compare\": ");
		json_strings(&s, n->merge || n->element ? n->compare : NIL);
		appendStringInfoString(&s, ", \"element\": ");
		json_strings(&s, n->element);
		appendStringInfoString(&s, ", \"positional\": ");
		json_strings(&s, n->positional);
		appendStringInfo(&s, ", \"element_node\": %d", n->positional ? n->element_node : -1);
		appendStringInfo(&s, ", \"array_node\": %d", n->element ? n->array_node : -1);
		{
			bool		middle = n->middle != NIL && n->array_node >= 0 &&
				((PjNode *) list_nth(st.nodes, n->array_node))->positional != NIL;

			appendStringInfoString(&s, ", \"middle\": ");
			json_strings(&s, middle ? n->middle : NIL);
			json_field(&s, "down_col", middle ? get_attname(n->relid, n->down_col, false) : NULL);
			appendStringInfo(&s, ", \"middle_array\": %d", middle ? n->array_node : -1);
			json_field(&s, "middle_key", middle ?
					   linitial(((PjNode *) list_nth(st.nodes, n->array_node))->positional) : NULL);
		}
		json_field(&s, "empty", n->element ? n->empty : NULL);
		/*
		 * an element table below the correlated table of an array placed
		 * by position, read elsewhere (a sort key, a filter): an UPDATE
		 * that keeps a row's link moves its elements
		 */
		appendStringInfo(&s, ", \"moves\": %s",
						 n->element && n->array_node >= 0 &&
						 n->array_node != foreach_current_index(lc) &&
						 ((PjNode *) list_nth(st.nodes, n->array_node))->positional != NIL &&
						 list_length(n->compare) > 1 ? "true" : "false");
		appendStringInfo(&s, ", \"outer\": %d", n->outer);
		json_field(&s, "outer_key", n->outer >= 0 ?
				   linitial(((PjNode *) list_nth(st.nodes, n->outer))->positional) : NULL);
		appendStringInfoString(&s, ", \"filter\": ");
		json_strings(&s, n->filter);
		appendStringInfoString(&s, ", \"joins\": ");
		json_strings(&s, n->merge ? n->joins : NIL);
		appendStringInfoString(&s, ", \"columns\": ");
		json_strings(&s, n->merge ? n->columns : NIL);
		appendStringInfo(&s, ", \"up\": %d, \"relid\": %u}", n->up, n->relid);
	}
	appendStringInfoString(&s, "]}");

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}
