# shellcheck shell=bash
# Debian chroots for the version matrix (tools/matrix.sh): each PostgreSQL
# major version that the host's Debian does not ship is taken from the Debian
# suite that does, inside a chroot made with debootstrap and cached outside
# the repository.  Source this file; it defines functions and sets nothing
# else.  Needs root, flock and findmnt; installs debootstrap when missing.
# Like common.sh, the functions rely on set -e: call them as plain commands,
# not in conditions.
#
# Environment:
#   IVM_CHROOT_DIR     where chroots are cached
#                      (default /var/cache/jsonb_ivm/chroots)
#   IVM_MIRROR         Debian mirror to use (default: the host's own apt
#                      configuration)
#   IVM_SUITE_<NN>     Debian suite for PostgreSQL NN (defaults below)
#   IVM_DEBOOTSTRAP_OPTS  extra debootstrap options, e.g. --no-check-gpg

IVM_DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# ivm_chroot_log MESSAGE: progress on stderr, like ivm_log in common.sh.
ivm_chroot_log() { printf '==> %s\n' "$*" >&2; }

# ivm_chroot_root: the cache directory holding one chroot per suite.
ivm_chroot_root() { echo "${IVM_CHROOT_DIR:-/var/cache/jsonb_ivm/chroots}"; }

# ivm_chroot_dir SUITE: where SUITE's chroot lives once complete;
# ivm_chroot_partial SUITE: where it is made.
ivm_chroot_dir() { echo "$(ivm_chroot_root)/$1"; }
ivm_chroot_partial() { echo "$(ivm_chroot_root)/.$1.partial"; }

# ivm_suite_for VERSION: the Debian suite whose archive has postgresql-VERSION.
ivm_suite_for() {
	local override="IVM_SUITE_$1"
	if [ -n "${!override:-}" ]; then
		echo "${!override}"
		return 0
	fi
	case $1 in
		13) echo bullseye ;;
		15) echo bookworm ;;
		17) echo trixie ;;
		18) echo sid ;;
		*)
			echo "no Debian suite known for PostgreSQL $1; set IVM_SUITE_$1" >&2
			return 1
			;;
	esac
}

# ivm_mirror: the Debian mirror the host's apt uses.  Reads deb822 files
# (URIs: lines) and classic one-line sources; skips security archives and
# third-party repositories when a plain .../debian archive is configured.
ivm_mirror() {
	if [ -n "${IVM_MIRROR:-}" ]; then
		echo "$IVM_MIRROR"
		return 0
	fi
	local files=() f uris
	for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || { echo "no apt sources found on the host" >&2; return 1; }
	# one "URI SUITE" line per deb entry, in file order
	uris=$(awk '
		# deb822 stanza: remember its fields, print them at the blank line
		function flush(   n, i, u) {
			if (types ~ /(^| )deb( |$)/ && uris != "") {
				n = split(uris, u, " ")
				for (i = 1; i <= n; i++) print u[i], suites
			}
			types = ""; uris = ""; suites = ""
		}
		FNR == 1 { flush() }
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0; next }
		/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0; next }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0; next }
		# classic line: deb [options] uri suite components...
		/^deb[ \t]/ {
			i = 2
			if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			print $i, $(i + 1)
		}
		END { flush() }
	' "${files[@]}" | grep -v -i security || true)
	# prefer an archive whose path is .../debian, else the first entry
	f=$(echo "$uris" | awk '$1 ~ /\/debian\/?$/ { print $1; exit }')
	[ -n "$f" ] || f=$(echo "$uris" | awk 'NF { print $1; exit }')
	[ -n "$f" ] || { echo "no Debian mirror found in the host's apt sources" >&2; return 1; }
	echo "${f%/}"
}

# ivm_chroot_umount_all DIR: unmount everything mounted at or below DIR,
# deepest first.  Safe to call when nothing is mounted.
ivm_chroot_umount_all() {
	local dir mnt
	dir=$(realpath -m "$1")
	findmnt -rn -o TARGET | awk -v d="$dir" 'index($0, d "/") == 1 || $0 == d' |
		sort -r | while read -r mnt; do
		umount "$mnt" 2>/dev/null || umount -l "$mnt"
	done
}

# ivm_chroot_mount DIR: mount /proc, the host's /dev (with /dev/pts) and a
# /dev/shm of the chroot's own inside the chroot.  The /dev tree is a slave
# of the host's, so that nothing mounted or unmounted in the chroot
# propagates back to the host; the private /dev/shm keeps PostgreSQL's
# dynamic shared memory apart from other clusters and drops whatever a
# crashed or immediately stopped cluster leaves there.  Call with the suite
# locked; the caller must arrange for ivm_chroot_umount_all DIR on exit.
ivm_chroot_mount() {
	local dir=$1
	ivm_chroot_umount_all "$dir"    # stale mounts from an interrupted run
	mkdir -p "$dir/proc" "$dir/dev"
	mount -t proc proc "$dir/proc"
	mount --rbind /dev "$dir/dev"
	mount --make-rslave "$dir/dev"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$dir/dev/shm"
}

# ivm_chroot_exec DIR COMMAND...: run COMMAND inside the chroot with a clean,
# predictable environment.
ivm_chroot_exec() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb \
		"$@"
}

# ivm_chroot_packages VERSION: what a chroot needs to build and test against
# PostgreSQL VERSION.
ivm_chroot_packages() {
	echo "postgresql-$1 postgresql-server-dev-$1 make gcc libc6-dev"
}

# ivm_chroot_has_pg DIR VERSION: are PostgreSQL VERSION's server and headers
# installed in the chroot?
ivm_chroot_has_pg() {
	[ -x "$1/usr/lib/postgresql/$2/bin/pg_config" ] &&
		[ -x "$1/usr/lib/postgresql/$2/bin/postgres" ] &&
		[ -f "$1/usr/include/postgresql/$2/server/postgres.h" ] &&
		[ -x "$1/usr/bin/gcc" ] && [ -x "$1/usr/bin/make" ]
}

# ivm_chroot_apt DIR VERSION: the apt steps of ivm_chroot_install, each one
# checked, since set -e does not hold in a function called in a condition.
ivm_chroot_apt() {
	local dir=$1 pkgs
	pkgs=$(ivm_chroot_packages "$2")
	# an interrupted dpkg run must be finished before apt will work again
	ivm_chroot_exec "$dir" dpkg --configure -a || return 1
	ivm_chroot_exec "$dir" apt-get update -qq || return 1
	# postgresql-common first, told not to create a cluster of its own
	if [ ! -f "$dir/etc/postgresql-common/createcluster.conf" ]; then
		ivm_chroot_exec "$dir" apt-get install -y -qq postgresql-common || return 1
	fi
	sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' \
		"$dir/etc/postgresql-common/createcluster.conf" || return 1
	# shellcheck disable=SC2086
	ivm_chroot_exec "$dir" apt-get install -y -qq $pkgs || return 1
	ivm_chroot_exec "$dir" apt-get clean
}

# ivm_chroot_install DIR VERSION: install (or finish installing) the
# packages for VERSION in a mounted chroot; apt's output goes to a log that
# is shown when it fails.
ivm_chroot_install() {
	local dir=$1 version=$2 log=$1/var/log/jsonb_ivm-apt.log
	if ! ivm_chroot_apt "$dir" "$version" >"$log" 2>&1 ||
		! ivm_chroot_has_pg "$dir" "$version"; then
		tail -n 30 "$log" >&2
		ivm_chroot_log "installing PostgreSQL $version failed (full log: $log)"
		return 1
	fi
}

# ivm_chroot_configure DIR SUITE MIRROR: first-time set-up of a fresh
# debootstrap: DNS, apt sources and options, and no daemons started by
# package scripts.
ivm_chroot_configure() {
	local dir=$1 suite=$2 mirror=$3
	cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
	echo "deb $mirror $suite main" >"$dir/etc/apt/sources.list"
	# sid's Release file may be past its Valid-Until date on a frozen
	# mirror; the signature is still checked
	cat >"$dir/etc/apt/apt.conf.d/90jsonb-ivm" <<-'EOF'
		Acquire::Check-Valid-Until "false";
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
		Acquire::Languages "none";
	EOF
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
}

# ivm_chroot_host_tools: install debootstrap on the host when it is missing
# (the machine image does not ship it).
ivm_chroot_host_tools() {
	command -v debootstrap >/dev/null && [ -f "$IVM_DEBIAN_KEYRING" ] && return 0
	ivm_chroot_log "installing debootstrap and debian-archive-keyring on the host"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		debootstrap debian-archive-keyring >/dev/null
}

# ivm_chroot_create SUITE DIR VERSION: make the chroot DIR from scratch.
# Everything happens in a directory beside it (ivm_chroot_partial), which is
# renamed to DIR only when complete, so an interrupted creation is simply
# started over.
ivm_chroot_create() {
	local suite=$1 dir=$2 version=$3 tmp mirror start=$SECONDS
	tmp=$(ivm_chroot_partial "$suite")
	ivm_chroot_host_tools
	mirror=$(ivm_mirror)
	if [ -e "$tmp" ]; then
		ivm_chroot_log "removing the remains of an interrupted creation: $tmp"
		ivm_chroot_umount_all "$tmp"
		rm -rf --one-file-system "$tmp"
	fi
	ivm_chroot_log "creating the $suite chroot in $dir (debootstrap from the host's mirror)"
	# shellcheck disable=SC2086
	if ! debootstrap --variant=minbase --keyring="$IVM_DEBIAN_KEYRING" \
		${IVM_DEBOOTSTRAP_OPTS:-} "$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1; then
		tail -n 30 "$tmp.log" >&2
		ivm_chroot_log "debootstrap of $suite failed (full log: $tmp.log)"
		ivm_chroot_umount_all "$tmp"
		return 1
	fi
	ivm_chroot_configure "$tmp" "$suite" "$mirror"
	ivm_chroot_log "installing $(ivm_chroot_packages "$version") in the $suite chroot"
	ivm_chroot_mount "$tmp"
	local status=0
	ivm_chroot_install "$tmp" "$version" || status=$?
	ivm_chroot_umount_all "$tmp"
	[ $status -eq 0 ] || { ivm_chroot_log "package installation in $suite failed"; return 1; }
	mv "$tmp.log" "$tmp/debootstrap.log"
	touch "$tmp/.jsonb_ivm-complete"
	mv "$tmp" "$dir"
	ivm_chroot_log "created the $suite chroot in $((SECONDS - start)) s"
}

# ivm_chroot_lock SUITE: take an exclusive lock on SUITE's chroot for the rest
# of the calling shell (or until ivm_chroot_unlock), so that two runs never
# create, mount or use the same chroot at once.
ivm_chroot_lock() {
	local root
	root=$(ivm_chroot_root)
	mkdir -p "$root"
	exec {IVM_CHROOT_LOCK_FD}>"$root/.$1.lock"
	flock "$IVM_CHROOT_LOCK_FD"
}

ivm_chroot_unlock() {
	[ -n "${IVM_CHROOT_LOCK_FD:-}" ] || return 0
	exec {IVM_CHROOT_LOCK_FD}>&-
	unset IVM_CHROOT_LOCK_FD
}

# ivm_chroot_ensure VERSION: make sure the chroot for VERSION exists and has
# its packages (its directory is ivm_chroot_dir SUITE).  Call with the suite
# locked.
ivm_chroot_ensure() {
	local version=$1 suite dir status=0
	suite=$(ivm_suite_for "$version")
	dir=$(ivm_chroot_dir "$suite")
	if [ ! -f "$dir/.jsonb_ivm-complete" ]; then
		if [ -e "$dir" ]; then
			# not made by this script, or by an older one: start over
			ivm_chroot_log "$dir is incomplete; recreating it"
			ivm_chroot_umount_all "$dir"
			rm -rf --one-file-system "$dir"
		fi
		ivm_chroot_create "$suite" "$dir" "$version" || return 1
	elif ! ivm_chroot_has_pg "$dir" "$version"; then
		# the chroot exists but lacks this version (or an install broke)
		ivm_chroot_log "installing $(ivm_chroot_packages "$version") in the $suite chroot"
		ivm_chroot_mount "$dir"
		ivm_chroot_install "$dir" "$version" || status=$?
		ivm_chroot_umount_all "$dir"
		[ $status -eq 0 ] || return 1
	fi
}
