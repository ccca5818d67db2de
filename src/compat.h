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

#endif							/* JSONB_IVM_COMPAT_H */
