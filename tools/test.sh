#!/usr/bin/env bash
# The whole jsonb_ivm test suite on throwaway clusters, ending with one line
# "N passed, N failed"; exits non-zero on any failure.  As root on Debian it
# first installs what is missing (PostgreSQL 15 and its headers, the Perl
# modules of the TAP tests, the Debian packaging tools).
#
#   tools/test.sh [--matrix] [--citus] [--no-install]
#     --matrix      also PostgreSQL 13, 17 and 18 in Debian chroots
#                   (tools/matrix.sh; CI runs this)
#     --citus       install Citus when missing (tools/citus.sh), so that the
#                   TAP suite test/t/060_citus.pl runs instead of skipping
#     --no-install  install nothing (make test): fail if something is missing
#
# Suites: a warning-free build; the extension built with assertions
# (-DUSE_ASSERT_CHECKING) and installed; `make installcheck` (pg_regress and
# isolation specs); `make prove_installcheck` (TAP: fuzzer, memory, stress);
# the Debian package built, installed and checked (tools/deb.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"

matrix=false
citus=false
install=true
for arg in "$@"; do
	case "$arg" in
		--matrix) matrix=true ;;
		--citus) citus=true ;;
		--no-install) install=false ;;
		*) echo "usage: tools/test.sh [--matrix] [--citus] [--no-install]" >&2; exit 2 ;;
	esac
done

passed=0
failed=0
# verdict OK DESCRIPTION: one TAP line of this script's own, counted
verdict() {
	if [ "$1" = true ]; then
		echo "ok - $2"
		passed=$((passed + 1))
	else
		echo "not ok - $2"
		failed=$((failed + 1))
	fi
}
# suite LOG STATUS: add the verdicts in LOG; a suite that failed before any
# verdict still counts as one failure
suite() {
	local ok bad
	read -r ok bad < <(ivm_count "$1")
	[ "$2" -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
}

if $install; then
	ivm_install_packages libipc-run-perl debhelper postgresql-server-dev-all
else
	export IVM_NO_INSTALL=1
fi
log=$(mktemp -d /tmp/jsonb_ivm_test.XXXXXX)
chmod 755 "$log"

strict="-Wall -Wextra -Werror"
ivm_log "suite: warning-free build ($strict)"
make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" clean >/dev/null
status=true
make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" COPT="$strict" >"$log/build.log" 2>&1 ||
	{ status=false; cat "$log/build.log"; }
verdict $status "build with $strict (PostgreSQL $PGVERSION)"
make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" clean >/dev/null
status=true
ivm_build COPT="$strict -DUSE_ASSERT_CHECKING" 2>"$log/build.log" ||
	{ status=false; cat "$log/build.log"; }
verdict $status "build and install with assertions (PostgreSQL $PGVERSION)"

ivm_start_cluster
ivm_log "suite: make installcheck (pg_regress, isolation)"
status=0
make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" installcheck >"$log/installcheck.log" 2>&1 ||
	status=$?
cat "$log/installcheck.log"
[ $status -eq 0 ] || cat "$IVM_ROOT"/regression.diffs "$IVM_ROOT"/output_iso/regression.diffs 2>/dev/null || true
suite "$log/installcheck.log" $status

if $citus; then
	ivm_log "suite: Citus for test/t/060_citus.pl (tools/citus.sh)"
	status=true
	bash "$IVM_ROOT/tools/citus.sh" >"$log/citus.log" 2>&1 || { status=false; cat "$log/citus.log"; }
	verdict $status "Citus installed in PostgreSQL $PGVERSION (tools/citus.sh)"
fi

# TAP suites start clusters of their own, as the postgres user, in a copy
# of the tree that user can write to
ivm_log "suite: make prove_installcheck (TAP)"
tree=$(mktemp -d /tmp/jsonb_ivm_tap.XXXXXX)
ivm_copy_tree "$tree"
[ "$(id -u)" -ne 0 ] || chown -R postgres: "$tree"
status=0
ivm_as_owner make -C "$tree" -s PG_CONFIG="$(ivm_pg_config)" PROVE_FLAGS=--verbose \
	prove_installcheck >"$log/tap.log" 2>&1 || status=$?
cat "$log/tap.log"
[ $status -eq 0 ] || tail -n 50 "$tree"/tmp_check/log/*.log 2>/dev/null || true
suite "$log/tap.log" $status
rm -rf "$tree"

if [ -f "$IVM_ROOT/tools/deb.sh" ]; then
	ivm_log "suite: the Debian package (tools/deb.sh)"
	status=0
	bash "$IVM_ROOT/tools/deb.sh" >"$log/deb.log" 2>&1 || status=$?
	cat "$log/deb.log"
	suite "$log/deb.log" $status
fi

if $matrix; then
	ivm_log "suite: version matrix (tools/matrix.sh 13 17 18)"
	status=0
	COPT="$strict" bash "$IVM_ROOT/tools/matrix.sh" 13 17 18 >"$log/matrix.log" 2>&1 || status=$?
	cat "$log/matrix.log"
	suite "$log/matrix.log" $status
fi
rm -rf "$log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
