#!/usr/bin/env bash
# Run the whole jsonb_ivm test suite on a throwaway cluster: installs
# PostgreSQL from Debian if needed, checks that the extension builds without
# a warning (-Wall -Wextra -Werror), builds and installs it, runs every
# suite and ends with one line "N passed, N failed".  Exits non-zero on any
# failure.
#
# Usage: tools/test.sh [--matrix]
#   --matrix  also run the regression suite on PostgreSQL 13, 17 and 18,
#             each in a Debian chroot (tools/matrix.sh; CI does this)
set -euo pipefail
. "$(dirname "$0")/common.sh"

matrix=false
for arg in "$@"; do
	case "$arg" in
		--matrix) matrix=true ;;
		*) echo "usage: tools/test.sh [--matrix]" >&2; exit 2 ;;
	esac
done

passed=0
failed=0

# The extension must build without a warning; PGXS adds COPT to the
# compiler flags.  The matrix builds each version the same way.
strict_copt="-Wall -Wextra -Werror"
ivm_install_packages
ivm_log "suite: warning-free build (COPT=$strict_copt)"
if make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" clean >/dev/null 2>&1 &&
	make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" COPT="$strict_copt" \
		>"${TMPDIR:-/tmp}/jsonb_ivm-build.log" 2>&1; then
	echo "ok 1 - build with $strict_copt (PostgreSQL $PGVERSION)"
	passed=$((passed + 1))
else
	cat "${TMPDIR:-/tmp}/jsonb_ivm-build.log"
	echo "not ok 1 - build with $strict_copt (PostgreSQL $PGVERSION)"
	failed=$((failed + 1))
fi
rm -f "${TMPDIR:-/tmp}/jsonb_ivm-build.log"

ivm_setup

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

# The differential fuzzer's quick mode, on a cluster of its own: one
# verdict per function, in the form count_regress reads ("ok 1 - fuzz ...").
ivm_log "suite: differential fuzzer, quick mode (tools/fuzz.sh)"
before=$failed
status=0
"$IVM_ROOT/tools/fuzz.sh" --quick >"$IVM_TMP/fuzz.log" 2>&1 || status=$?
cat "$IVM_TMP/fuzz.log"
count_regress "$IVM_TMP/fuzz.log"
# a run that failed before any verdict still counts as a failure
[ $status -ne 0 ] && [ "$failed" -eq "$before" ] && failed=$((failed + 1))

# The stress test of the trigger recipes, on a cluster of its own: the
# interleavings that once broke them, 8 concurrent pgbench clients for a
# minute per recipe, 10,000 random statements; projections equal a rebuild.
ivm_log "suite: stress and concurrency (tools/stress.sh --seconds 60)"
before=$failed
status=0
"$IVM_ROOT/tools/stress.sh" --seconds 60 >"$IVM_TMP/stress.log" 2>&1 || status=$?
cat "$IVM_TMP/stress.log"
count_regress "$IVM_TMP/stress.log"
[ $status -ne 0 ] && [ "$failed" -eq "$before" ] && failed=$((failed + 1))

if $matrix; then
	ivm_log "suite: version matrix (tools/matrix.sh 13 17 18)"
	status=0
	COPT=$strict_copt bash "$IVM_ROOT/tools/matrix.sh" 13 17 18 2>&1 | tee "$IVM_TMP/matrix.log" ||
		status=$?
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$IVM_TMP/matrix.log" | tail -n 1 || true)
	mpassed=0
	mfailed=0
	if [ -n "$summary" ]; then
		mpassed=${summary%% passed*}
		mfailed=${summary#*passed, }
		mfailed=${mfailed%% failed*}
	fi
	# a matrix that failed without counting a failure still is one
	[ $status -ne 0 ] && [ "$mfailed" -eq 0 ] && mfailed=1
	passed=$((passed + mpassed))
	failed=$((failed + mfailed))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
