#!/usr/bin/env bash
# Run the whole jsonb_ivm test suite on a throwaway cluster: installs
# PostgreSQL from Debian if needed, builds and installs the extension, runs
# every suite and ends with one line "N passed, N failed".  Exits non-zero
# on any failure.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ivm_setup

passed=0
failed=0

# count_regress FILE: add the pg_regress verdicts in FILE to the totals.
# Understands both the classic ("test x ... ok") and the TAP-style output
# of PostgreSQL 16 and later ("ok 1 - x", "not ok 1 - x").
count_regress() {
	local ok bad
	ok=$(grep -cE '\.\.\. ok|^ok [0-9]+' "$1" || true)
	bad=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+' "$1" || true)
	passed=$((passed + ok))
	failed=$((failed + bad))
}

ivm_log "suite: pg_regress (make installcheck)"
status=0
make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" installcheck \
	>"$IVM_TMP/regress.log" 2>&1 || status=$?
cat "$IVM_TMP/regress.log"
count_regress "$IVM_TMP/regress.log"
if [ $status -ne 0 ]; then
	[ -f "$IVM_ROOT/regression.diffs" ] && cat "$IVM_ROOT/regression.diffs"
	# a run that failed before any verdict still counts as a failure
	[ "$failed" -eq 0 ] && failed=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
