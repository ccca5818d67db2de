#!/usr/bin/env bash
# The whole jsonb_ivm test suite on throwaway clusters, ending with one line
# "N passed, N failed"; exits non-zero on any failure.  As root on Debian it
# first installs what is missing (PostgreSQL 15 and its headers, the TAP
# tests' Perl modules, the Debian packaging tools).
#
#   tools/test.sh [--matrix] [--citus] [--no-install]
#     --matrix      also PostgreSQL 13, 17 and 18 in Debian chroots (CI)
#     --citus       install Citus when missing (tools/citus.sh), so that
#                   test/t/060_citus.pl runs instead of skipping (CI)
#     --no-install  install nothing (make test)
#
# Suites: a warning-free build; a build with assertions, installed;
# make installcheck (pg_regress, isolation); make prove_installcheck (TAP);
# the Debian package (tools/deb.sh); the version matrix (tools/matrix.sh).
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
if $install; then
	ivm_install_packages libipc-run-perl debhelper postgresql-server-dev-all
else
	export IVM_NO_INSTALL=1
fi

passed=0
failed=0
log=$(mktemp -d /tmp/jsonb_ivm_test.XXXXXX)
# run DESCRIPTION COMMAND...: run COMMAND, show its output and count the
# verdicts it prints; one that prints none is a verdict of its own, and one
# that fails without a failing verdict counts as one failure
run() {
	local desc=$1 status=0 ok bad
	shift
	ivm_log "suite: $desc"
	"$@" >"$log/out" 2>&1 || status=$?
	cat "$log/out"
	read -r ok bad < <(ivm_count "$log/out")
	if [ $((ok + bad)) -eq 0 ]; then
		if [ $status -eq 0 ]; then ok=1; echo "ok - $desc"; else bad=1; echo "not ok - $desc"; fi
	fi
	[ $status -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
}
mk() { make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" "$@"; }
installcheck() {
	mk installcheck ||
		{ cat "$IVM_ROOT"/regression.diffs "$IVM_ROOT"/output_iso/regression.diffs 2>/dev/null; return 1; }
}
# TAP suites start clusters of their own as the postgres user, in a copy of
# the tree that user can write to
tap() {
	local tree status=0
	tree=$(mktemp -d /tmp/jsonb_ivm_tap.XXXXXX)
	ivm_copy_tree "$tree"
	[ "$(id -u)" -ne 0 ] || chown -R postgres: "$tree"
	ivm_as_owner make -C "$tree" -s PG_CONFIG="$(ivm_pg_config)" PROVE_FLAGS=--verbose \
		prove_installcheck || { status=$?; tail -n 50 "$tree"/tmp_check/log/*.log; }
	rm -rf "$tree"
	return $status
}

strict="-Wall -Wextra -Werror -Wshadow=compatible-local"
mk clean >/dev/null
run "build with $strict (PostgreSQL $PGVERSION)" mk COPT="$strict"
mk clean >/dev/null
before=$failed
run "build and install with assertions (PostgreSQL $PGVERSION)" \
	ivm_build COPT="$strict -DUSE_ASSERT_CHECKING"
if [ "$failed" -gt "$before" ]; then
	# what the server has installed is not this tree: no suite below would
	# test it
	echo "not ok - the other suites, not run: this tree did not build and install"
	rm -rf "$log"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
ivm_start_cluster
run "make installcheck (pg_regress, isolation)" installcheck
! $citus || run "Citus installed in PostgreSQL $PGVERSION (tools/citus.sh)" bash "$IVM_ROOT/tools/citus.sh"
run "make prove_installcheck (TAP)" tap
run "the Debian package (tools/deb.sh)" bash "$IVM_ROOT/tools/deb.sh"
! $matrix || run "version matrix (tools/matrix.sh 13 17 18)" \
	env COPT="$strict" bash "$IVM_ROOT/tools/matrix.sh" 13 17 18
rm -rf "$log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
