# Shared set-up for tools/demo.sh, tools/test.sh and the benchmark runner:
# install PostgreSQL from Debian if missing, build and install jsonb_ivm,
# and start a throwaway cluster on a Unix socket in a temporary directory.
# Source this file; it defines functions and sets nothing else.

IVM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGVERSION=${PGVERSION:-15}
# PG_CONFIG, when set, names the installation to use instead of Debian's
IVM_BINDIR=$(dirname "${PG_CONFIG:-/usr/lib/postgresql/$PGVERSION/bin/pg_config}")

ivm_log() { printf '==> %s\n' "$*" >&2; }

# Install the PostgreSQL server and its headers when pg_config is missing.
ivm_install_packages() {
	if [ -x "$IVM_BINDIR/pg_config" ] &&
		[ -f "$("$IVM_BINDIR/pg_config" --includedir-server)/postgres.h" ]; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "PostgreSQL $PGVERSION and its server headers are missing; run as root to install them" >&2
		return 1
	fi
	ivm_log "installing postgresql-$PGVERSION and postgresql-server-dev-$PGVERSION"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends \
		"postgresql-$PGVERSION" "postgresql-server-dev-$PGVERSION" make gcc libc6-dev >/dev/null
}

ivm_bindir() { echo "$IVM_BINDIR"; }
ivm_pg_config() { echo "$(ivm_bindir)/pg_config"; }

# psql of the selected version, without ~/.psqlrc, stopping at the first error.
ivm_psql() { "$(ivm_bindir)/psql" -X -v ON_ERROR_STOP=1 "$@"; }

# Build and install the extension into the selected PostgreSQL.
ivm_build() {
	ivm_log "building jsonb_ivm against PostgreSQL $PGVERSION"
	make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" >/dev/null &&
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
	local bindir=$IVM_BINDIR
	IVM_TMP=$(mktemp -d /tmp/jsonb_ivm.XXXXXX)
	trap ivm_stop_cluster EXIT
	chmod 755 "$IVM_TMP"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$IVM_TMP"
	ivm_log "starting a throwaway PostgreSQL $PGVERSION cluster in $IVM_TMP"
	ivm_as_owner "$bindir/initdb" -D "$IVM_TMP/data" -A trust -U postgres \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$IVM_TMP/initdb.log" 2>&1 ||
		{ cat "$IVM_TMP/initdb.log" >&2; return 1; }
	ivm_as_owner "$bindir/pg_ctl" -D "$IVM_TMP/data" -w -l "$IVM_TMP/server.log" \
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
	if [ -d "$IVM_TMP/data" ]; then
		ivm_as_owner "$IVM_BINDIR/pg_ctl" -D "$IVM_TMP/data" \
			-m fast stop >/dev/null 2>&1 || true
	fi
	rm -rf "$IVM_TMP"
}

# Everything a command needs before it can talk to a cluster with jsonb_ivm.
ivm_setup() {
	ivm_install_packages
	ivm_build
	ivm_start_cluster
}
