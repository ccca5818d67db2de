#!/usr/bin/env bash
# Version matrix: build jsonb_ivm and run its pg_regress suite against
# several PostgreSQL major versions, ending with one line "N passed, N failed".
#
# Usage (as root):
#   tools/matrix.sh [VERSION...]            default: 13 15 17 18
#   tools/matrix.sh --prepare [VERSION...]  only create the chroots
#
# Each version comes from Debian's own packages: the host's when the host's
# release ships it, otherwise a debootstrap chroot of the suite that does
# (see tools/chroot.sh: 13 bullseye, 17 trixie, 18 sid), cached in
# $IVM_CHROOT_DIR (default /var/cache/jsonb_ivm/chroots).  A cold chroot
# costs one debootstrap plus the PostgreSQL and compiler packages.
#
# For every version the current working tree (tracked and untracked,
# non-ignored files) is copied to a fresh directory, built and installed
# there, and tested on a throwaway cluster on a Unix socket, all by the
# functions of tools/common.sh.  The repository itself is never written to.
# Exits non-zero when any version fails to build or any test fails.
# COPT from the environment is added to the compiler flags as usual with
# PGXS (e.g. COPT=-Werror).
#
# Internal: "tools/matrix.sh --run-here VERSION" builds and tests the tree
# this script is in against PostgreSQL VERSION on the system it runs on (the
# host or, called by the matrix, a chroot).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

IVM_MATRIX_SELF=$(realpath "${BASH_SOURCE[0]}")
IVM_REPO=$(cd "$(dirname "$IVM_MATRIX_SELF")/.." && pwd)

# count_verdicts FILE: print "PASSED FAILED", the pg_regress verdicts in FILE,
# in the classic format ("test x ... ok") or the TAP format of PostgreSQL 16
# and later ("ok 1 - x", "not ok 1 - x").  Same rules as tools/test.sh.
count_verdicts() {
	local ok=0 bad=0
	if [ -f "$1" ]; then
		ok=$(grep -cE '\.\.\. ok|^ok [0-9]+' "$1" || true)
		bad=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+' "$1" || true)
	fi
	echo "$ok $bad"
}

# ---------------------------------------------------------------------------
# Inner part: build, install and test this tree on this system.  Leaves
# matrix-build.log (compiler diagnostics), matrix-regress.log (pg_regress
# output) and matrix-status (ok, build-failed, cluster-failed or
# tests-failed) in the tree's root for the outer part to read.
# ---------------------------------------------------------------------------
run_here() {
	export PGVERSION=$1
	# shellcheck source=common.sh
	. "$IVM_REPO/tools/common.sh"
	cd "$IVM_ROOT"
	echo build-failed >matrix-status
	ivm_install_packages
	"$(ivm_pg_config)" --version
	gcc --version | head -n 1

	# Build and install; compiler diagnostics go to matrix-build.log.  The
	# subshell with its own set -e stops at the first failing make, which a
	# function called in an "||" list would not.
	local status
	set +e
	(set -e; ivm_build) 2>matrix-build.log
	status=$?
	set -e
	echo "--- compiler diagnostics (PostgreSQL $PGVERSION):"
	if grep -v '^==> ' matrix-build.log; then :; else echo "(none)"; fi
	if [ $status -ne 0 ]; then
		echo "--- build FAILED against PostgreSQL $PGVERSION"
		return 2
	fi

	# ivm_start_cluster arranges for the cluster to be stopped and removed
	# when this shell exits, but only once it has started: a cluster that
	# failed to start is removed too
	echo cluster-failed >matrix-status
	trap ivm_stop_cluster EXIT
	ivm_start_cluster

	echo "--- make installcheck (PostgreSQL $PGVERSION):"
	status=0
	make -s PG_CONFIG="$(ivm_pg_config)" installcheck >matrix-regress.log 2>&1 || status=$?
	cat matrix-regress.log
	if [ $status -ne 0 ]; then
		echo tests-failed >matrix-status
		if [ -f regression.diffs ]; then
			echo "--- regression.diffs (PostgreSQL $PGVERSION):"
			cat regression.diffs
		fi
		return 1
	fi
	echo ok >matrix-status
}

if [ "${1:-}" = --run-here ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --run-here VERSION" >&2; exit 2; }
	run_here "$2"
	exit
fi

# ---------------------------------------------------------------------------
# Outer part: for each version, get a system that has it, copy the tree
# there, run the inner part, and collect the verdicts.
# ---------------------------------------------------------------------------
# shellcheck source=chroot.sh
. "$IVM_REPO/tools/chroot.sh"

prepare_only=false
if [ "${1:-}" = --prepare ]; then
	prepare_only=true
	shift
fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(13 15 17 18)

if [ "$(id -u)" -ne 0 ]; then
	echo "$0 needs root (debootstrap, chroot, mount)" >&2
	exit 2
fi

host_codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")

# Everything to undo on exit, even after a failure or an interrupt: the
# mounts of the chroot this process has locked, and the copies of the tree.
# held_mounts is set only while the lock is held, since another run may
# have mounted the same chroot once it is released.
held_mounts=()
cleanup_dirs=()
cleanup() {
	local d
	for d in ${held_mounts[@]+"${held_mounts[@]}"}; do
		ivm_chroot_umount_all "$d"
	done
	for d in ${cleanup_dirs[@]+"${cleanup_dirs[@]}"}; do
		rm -rf --one-file-system "$d"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# copy_tree DEST: copy the working tree (tracked and untracked files that
# git does not ignore, as they are on disk now) to DEST.
copy_tree() {
	(
		cd "$IVM_REPO"
		git -c safe.directory='*' ls-files -z -co --exclude-standard |
			while IFS= read -r -d '' f; do
				# a tracked file deleted from the working tree is skipped
				if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
			done |
			tar --null -T - -cf -
	) | tar -C "$1" -xf -
	# this very script, even when it is not part of the tree
	mkdir -p "$1/tools"
	cp "$IVM_MATRIX_SELF" "$1/tools/matrix.sh"
}

# run_version VERSION: run the inner part for VERSION and append a row to
# the summary.  Never fails: the verdict goes to the summary and totals.
summary=()
total_passed=0
total_failed=0
run_version() {
	local version=$1 suite where root="" src status=pending counts passed failed
	local start=$SECONDS
	suite=$(ivm_suite_for "$version") || suite=""
	echo
	echo "=================== PostgreSQL $version ==================="

	# a system with PostgreSQL VERSION: the host or a (new) chroot
	if [ "$suite" = "$host_codename" ]; then
		where="host ($suite)"
	elif [ -z "$suite" ]; then
		where="-"
		status=unknown-version
	else
		where="$suite chroot"
		# creating the chroot runs as a process of its own, where set -e
		# holds (it would not in this "if")
		if bash "$IVM_MATRIX_SELF" --prepare "$version"; then
			root=$(ivm_chroot_dir "$suite")
			ivm_chroot_lock "$suite"
			held_mounts=("$root")
			ivm_chroot_mount "$root"
		else
			status=no-chroot
		fi
	fi

	if [ "$status" = pending ]; then
		# a fresh copy of the tree, readable by the postgres user
		src=$(mktemp -d "$root/tmp/jsonb_ivm-matrix.XXXXXX")
		cleanup_dirs+=("$src")
		chmod 755 "$src"
		copy_tree "$src"
		if [ -n "$root" ]; then
			ivm_chroot_exec "$root" COPT="${COPT:-}" \
				bash "${src#"$root"}/tools/matrix.sh" --run-here "$version" || true
		else
			env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
				bash "$src/tools/matrix.sh" --run-here "$version" || true
		fi
		status=$(cat "$src/matrix-status" 2>/dev/null || echo error)
		counts=$(count_verdicts "$src/matrix-regress.log")
		rm -rf --one-file-system "$src"
	fi
	if [ -n "$root" ]; then
		ivm_chroot_umount_all "$root"
		held_mounts=()
		ivm_chroot_unlock
	fi

	# verdicts; a version that did not get as far as a failing test still
	# counts as one failure
	read -r passed failed <<<"${counts:-0 0}"
	if [ "$status" != ok ] && [ "$failed" -eq 0 ]; then
		failed=1
	fi
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	summary+=("$(printf '%-8s %-20s %-15s %6s %6s %6s' \
		"$version" "$where" "$status" "$passed" "$failed" "$((SECONDS - start))")")
}

# --prepare: create (or check) the chroots and stop there.
if $prepare_only; then
	for version in "${versions[@]}"; do
		suite=$(ivm_suite_for "$version")
		[ "$suite" != "$host_codename" ] || continue
		start=$SECONDS
		ivm_chroot_lock "$suite"
		held_mounts=("$(ivm_chroot_dir "$suite")" "$(ivm_chroot_partial "$suite")")
		ivm_chroot_ensure "$version"
		held_mounts=()
		ivm_chroot_unlock
		echo "PostgreSQL $version: $(ivm_chroot_dir "$suite") ready ($((SECONDS - start)) s)"
	done
	exit 0
fi

matrix_start=$SECONDS
for version in "${versions[@]}"; do
	run_version "$version"
done

echo
echo "=================== summary ($((SECONDS - matrix_start)) s) ==================="
printf '%-8s %-20s %-15s %6s %6s %6s\n' version where status passed failed secs
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
