#!/usr/bin/env bash
# Version matrix: build jsonb_ivm warning-free and run `make installcheck`
# (pg_regress and isolation) against other PostgreSQL major versions, each
# from Debian's own packages in a debootstrap chroot of the suite that ships
# it, cached in $IVM_CHROOT_DIR (default /var/cache/jsonb_ivm/chroots).
# Ends with "N passed, N failed"; exits non-zero on any failure.
#
#   tools/matrix.sh [VERSION...]            default: 13 17 18 (as root)
#   tools/matrix.sh --prepare [VERSION...]  only create the chroots
#
# The mirror is the host's own (its apt sources); COPT from the environment
# is added to the compiler flags.  The repository is never written to: each
# version gets a fresh copy of the working tree.
set -euo pipefail
self=$(realpath "${BASH_SOURCE[0]}")
. "$(dirname "$self")/common.sh"

# Inner part, inside a chroot: build, test on a throwaway cluster, and leave
# the pg_regress output in matrix.log.
if [ "${1:-}" = --run-here ]; then
	export PGVERSION=$2
	. "$IVM_ROOT/tools/common.sh"
	cd "$IVM_ROOT"
	"$(ivm_pg_config)" --version
	ivm_build COPT="${COPT:-}" || { echo "not ok - build against PostgreSQL $2" >matrix.log; exit 1; }
	ivm_start_cluster
	status=0
	make -s PG_CONFIG="$(ivm_pg_config)" installcheck >matrix.log 2>&1 || status=$?
	cat matrix.log
	[ $status -eq 0 ] || { cat regression.diffs output_iso/regression.diffs 2>/dev/null || true; }
	exit $status
fi

suite_for() {
	case $1 in 13) echo bullseye ;; 17) echo trixie ;; 18) echo sid ;;
		*) echo "no Debian suite known for PostgreSQL $1" >&2; return 1 ;; esac
}

# the host's Debian mirror: the first URI of its apt sources that is not a
# security archive (deb822 "URIs:" or one-line "deb URI SUITE")
mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
			-e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]*\).*/\2/p' |
		grep -v -i security | head -n 1
}

umount_all() {
	findmnt -rn -o TARGET | { grep "^$1/" || true; } | sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"; done
}

# a private /proc, /dev and /dev/shm for the chroot; undone by umount_all
mount_chroot() {
	umount_all "$1"
	mount -t proc proc "$1/proc"
	mount --rbind /dev "$1/dev"
	mount --make-rslave "$1/dev"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$1/dev/shm"
}

in_chroot() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# prepare VERSION: create the chroot for VERSION unless it is complete; it is
# made beside its final place and renamed only when complete
prepare() {
	local version=$1 suite dir tmp
	suite=$(suite_for "$version")
	dir=$IVM_CHROOT_DIR/$suite
	tmp=$IVM_CHROOT_DIR/.$suite.partial
	[ -f "$dir/.complete" ] && return 0
	ivm_install_packages debootstrap debian-archive-keyring
	ivm_log "creating the $suite chroot for PostgreSQL $version in $dir"
	umount_all "$tmp"
	rm -rf --one-file-system "$tmp" "$dir"
	mkdir -p "$IVM_CHROOT_DIR"
	debootstrap --variant=minbase "$suite" "$tmp" "$(mirror)" >"$tmp.log" 2>&1 ||
		{ tail -n 20 "$tmp.log"; return 1; }
	cp -L /etc/resolv.conf "$tmp/etc/resolv.conf"
	echo "deb $(mirror) $suite main" >"$tmp/etc/apt/sources.list"
	# sid's Release file may be past its Valid-Until on a frozen mirror
	printf 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n' \
		>"$tmp/etc/apt/apt.conf.d/90jsonb-ivm"
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	mount_chroot "$tmp"
	# postgresql-common first, told not to create a cluster of its own
	if ! { in_chroot "$tmp" apt-get update -qq &&
		in_chroot "$tmp" apt-get install -y -qq postgresql-common &&
		sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' \
			"$tmp/etc/postgresql-common/createcluster.conf" &&
		in_chroot "$tmp" apt-get install -y -qq \
			"postgresql-$version" "postgresql-server-dev-$version" make gcc libc6-dev; } \
		>"$tmp.log" 2>&1; then
		tail -n 20 "$tmp.log"
		umount_all "$tmp"
		return 1
	fi
	in_chroot "$tmp" apt-get clean
	umount_all "$tmp"
	touch "$tmp/.complete"
	mv "$tmp" "$dir"
}

[ "$(id -u)" -eq 0 ] || { echo "$0 needs root (debootstrap, chroot, mount)" >&2; exit 2; }
IVM_CHROOT_DIR=${IVM_CHROOT_DIR:-/var/cache/jsonb_ivm/chroots}
prepare_only=false
[ "${1:-}" = --prepare ] && { prepare_only=true; shift; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(13 17 18)

passed=0
failed=0
mounted=
trap '[ -z "$mounted" ] || umount_all "$mounted"' EXIT
for version in "${versions[@]}"; do
	start=$SECONDS
	if ! prepare "$version"; then
		echo "not ok - PostgreSQL $version: no chroot"
		failed=$((failed + 1))
		continue
	fi
	$prepare_only && continue
	root=$IVM_CHROOT_DIR/$(suite_for "$version")
	echo "=================== PostgreSQL $version ($(suite_for "$version") chroot) ==================="
	mount_chroot "$root"
	mounted=$root
	src=$(mktemp -d "$root/tmp/jsonb_ivm.XXXXXX")
	chmod 755 "$src"
	ivm_copy_tree "$src"
	status=0
	in_chroot "$root" COPT="${COPT:-}" bash "${src#"$root"}/tools/matrix.sh" \
		--run-here "$version" || status=$?
	read -r ok bad < <(ivm_count "$src/matrix.log")
	# a run that failed before any verdict still counts as a failure
	[ $status -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
	echo "PostgreSQL $version: $ok passed, $bad failed in $((SECONDS - start)) s"
	passed=$((passed + ok))
	failed=$((failed + bad))
	rm -rf --one-file-system "$src"
	umount_all "$root"
	mounted=
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
