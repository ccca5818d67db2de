#!/usr/bin/env bash
# The main job, end to end: one DNS server change cascading through the CQRS
# projections of fixtures/cqrs.sql, natively, with jsonb_ivm's functions and
# through projections declared with jsonb_ivm_create_projection, on a
# throwaway cluster; prints what each step took and whether all contenders
# left identical projections (exits non-zero when they did not).
# Usage: sudo tools/demo.sh [psql options for bench/cascade.sql, e.g. -v rounds=31]
# (make demo: the same, with IVM_NO_INSTALL=1, installing no package)
set -euo pipefail
. "$(dirname "$0")/common.sh"

ivm_setup

bindir=$(dirname "$(ivm_pg_config)")
db=jsonb_ivm_demo
psql_demo() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

"$bindir/createdb" "$db"
psql_demo -c 'CREATE EXTENSION jsonb_ivm'
ivm_log "generating the CQRS fixture (fixtures/cqrs.sql)"
psql_demo -At -f "$IVM_ROOT/fixtures/cqrs.sql" -c 'SELECT generate_cqrs_data()' >/dev/null
ivm_log "running bench/cascade.sql"
psql_demo -f "$IVM_ROOT/bench/cascade.sql" "$@"
ivm_log "the same cascade through generated projections (bench/cascade_projections.sql)"
psql_demo -f "$IVM_ROOT/bench/cascade_projections.sql" "$@"
ivm_log "demo finished in ${SECONDS}s"
