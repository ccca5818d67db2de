# shellcheck shell=bash
# Shared set-up for tools/*.sh and bench/run.sh: Debian packages, building
# jsonb_ivm, and a throwaway cluster on a Unix socket in a temporary
# directory.  Source this file; it defines functions and sets nothing else.

IVM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGVERSION=${PGVERSION:-15}
# PG_CONFIG, when set, names the installation to use instead of Debian's
IVM_BINDIR=$(dirname "${PG_CONFIG:-/usr/lib/postgresql/$PGVERSION/bin/pg_config}")

ivm_log() { printf '==> %s\n' "$*" >&2; }
ivm_bindir() { echo "$IVM_BINDIR"; }
ivm_pg_config() { echo "$IVM_BINDIR/pg_config"; }

# ivm_install_packages [PACKAGE...]: install the PostgreSQL server and its
# headers when they are missing, and any other Debian packages named;
# with IVM_NO_INSTALL set, only say what is missing.
ivm_install_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	if [ ! -x "$IVM_BINDIR/pg_config" ] ||
		[ ! -f "$("$IVM_BINDIR/pg_config" --includedir-server)/postgres.h" ]; then
		missing+=("postgresql-$PGVERSION" "postgresql-server-dev-$PGVERSION" make gcc libc6-dev)
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] || [ -n "${IVM_NO_INSTALL:-}" ]; then
		echo "missing Debian packages: ${missing[*]}; tools/test.sh as root installs them" >&2
		return 1
	fi
	ivm_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# psql of the selected version, without ~/.psqlrc, stopping at the first error.
ivm_psql() { "$IVM_BINDIR/psql" -X -v ON_ERROR_STOP=1 "$@"; }

# ivm_build [MAKE ARGUMENTS...]: build and install the extension.
ivm_build() {
	ivm_log "building jsonb_ivm against PostgreSQL $PGVERSION"
	make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" "$@" >/dev/null &&
		make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" install >/dev/null
}

# Run a command as the cluster owner: postgres when we are root.
ivm_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
	else
		"$@"
	fi
}

# Start a throwaway cluster; exports PGHOST, PGPORT, PGUSER and PGDATABASE
# and stops and removes the cluster when the calling shell exits.
ivm_start_cluster() {
	IVM_TMP=$(mktemp -d /tmp/jsonb_ivm.XXXXXX)
	trap ivm_stop_cluster EXIT
	chmod 755 "$IVM_TMP"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$IVM_TMP"
	ivm_log "starting a throwaway PostgreSQL $PGVERSION cluster in $IVM_TMP"
	ivm_as_owner "$IVM_BINDIR/initdb" -D "$IVM_TMP/data" -A trust -U postgres \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$IVM_TMP/initdb.log" 2>&1 ||
		{ cat "$IVM_TMP/initdb.log" >&2; return 1; }
	ivm_as_owner "$IVM_BINDIR/pg_ctl" -D "$IVM_TMP/data" -w -l "$IVM_TMP/server.log" \
		-o "-k $IVM_TMP -p 5432 -c listen_addresses= -c fsync=off ${IVM_SERVER_OPTS:-}" \
		start >/dev/null || { cat "$IVM_TMP/server.log" >&2; return 1; }
	export PGHOST=$IVM_TMP PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
}

ivm_stop_cluster() {
	local status=$?
	[ -n "${IVM_TMP:-}" ] && [ -d "$IVM_TMP" ] || return 0
	if [ "$status" -ne 0 ] && [ -f "$IVM_TMP/server.log" ]; then
		echo "--- last lines of the server log ---" >&2
		tail -n 30 "$IVM_TMP/server.log" >&2
	fi
	[ -d "$IVM_TMP/data" ] &&
		ivm_as_owner "$IVM_BINDIR/pg_ctl" -D "$IVM_TMP/data" -m fast stop >/dev/null 2>&1
	rm -rf "$IVM_TMP"
}

# Everything a command needs before it can talk to a cluster with jsonb_ivm.
ivm_setup() {
	ivm_install_packages
	ivm_build
	ivm_start_cluster
}

# ivm_copy_tree DEST: copy the working tree (tracked and untracked files
# that git does not ignore, as they are on disk now) to DEST.
ivm_copy_tree() {
	(cd "$IVM_ROOT" && git -c safe.directory='*' ls-files -z -co --exclude-standard |
		xargs -0 -I{} sh -c '[ ! -e "$1" ] || printf "%s\0" "$1"' _ {} |
		tar --null -T - -cf -) | tar -C "$1" -xf -
}

# ivm_count FILE: print "PASSED FAILED", the verdicts in FILE: pg_regress's
# classic lines ("test x ... ok"), and TAP lines ("ok 1 - x", "ok - x"),
# which pg_regress prints from PostgreSQL 16 on and prove -v always.
ivm_count() {
	local ok=0 bad=0
	if [ -f "$1" ]; then
		ok=$(grep -cE '\.\.\. ok|^ok( [0-9]+| -)' "$1" || true)
		bad=$(grep -cE '\.\.\. FAILED|^not ok( [0-9]+| -)' "$1" || true)
	fi
	echo "$ok $bad"
}
