/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Differences between the PostgreSQL major versions jsonb_ivm supports
 *	  (13 to 18).  Every #if on PG_VERSION_NUM lives here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSONB_IVM_COMPAT_H
#define JSONB_IVM_COMPAT_H

#if PG_VERSION_NUM < 130000
#error "jsonb_ivm requires PostgreSQL 13 or later"
#endif

/*
 * PostgreSQL 18 records the module's name and version in its magic block;
 * the version comes from the Makefile (EXTVERSION).
 */
#ifndef JSONB_IVM_VERSION
#error "JSONB_IVM_VERSION is not defined; build jsonb_ivm with its Makefile"
#endif
#if PG_VERSION_NUM < 180000
#define PG_MODULE_MAGIC_EXT(...) PG_MODULE_MAGIC
#endif

/*
 * PostgreSQL 16 moved the varlena macros into varatt.h; postgres.h includes
 * it, so nothing is needed for them.  PostgreSQL 13 is the first release
 * with TYPALIGN_INT, and 12 the first with strtoint() in common/string.h,
 * both used as they are.
 */

/*
 * The parser and analyzer entry points (projection_analyze.c): raw_parser
 * takes a mode from 14 on, parse_analyze became parse_analyze_fixedparams
 * in 15, and 16 moved permission information out of the range table.
 */
#if PG_VERSION_NUM >= 140000
#define jb_raw_parser(str) raw_parser((str), RAW_PARSE_DEFAULT)
#else
#define jb_raw_parser(str) raw_parser(str)
#endif

#if PG_VERSION_NUM >= 150000
#define jb_parse_analyze(stmt, str) \
	parse_analyze_fixedparams((stmt), (str), NULL, 0, NULL)
#else
#define jb_parse_analyze(stmt, str) \
	parse_analyze((stmt), (str), NULL, 0, NULL)
#endif

#if PG_VERSION_NUM >= 160000
#define jb_check_select_perms(query) \
	((void) ExecCheckPermissions((query)->rtable, (query)->rteperminfos, true))
#else
#define jb_check_select_perms(query) \
	((void) ExecCheckRTPerms((query)->rtable, true))
#endif

/* 18 added a flag: whether a deferrable primary key counts (not for us) */
#if PG_VERSION_NUM >= 180000
#define jb_primary_key_index(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define jb_primary_key_index(rel) RelationGetPrimaryKeyIndex(rel)
#endif

#endif							/* JSONB_IVM_COMPAT_H */
