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
 * PostgreSQL 16 moved the varlena macros into varatt.h; postgres.h includes
 * it, so nothing is needed for them.  PostgreSQL 13 is the first release
 * with TYPALIGN_INT, and 12 the first with strtoint() in common/string.h,
 * both used as they are.
 */

#endif							/* JSONB_IVM_COMPAT_H */
