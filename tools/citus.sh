#!/usr/bin/env bash
# Install Citus into the PostgreSQL that PG_CONFIG names (Debian's by
# default) when it is missing, for test/t/060_citus.pl.  Debian does not
# package Citus: it is built from ../shared/vendor/citus-VERSION.tar.gz
# (relative to the repository root) with Debian's build dependencies, and
# the built tree is cached in /var/cache/jsonb_ivm/citus-VERSION-pgMAJOR,
# so that a second run only runs `make install`.  Run as root.
set -euo pipefail
. "$(dirname "$0")/common.sh"

version=${CITUS_VERSION:-13.2.2}
pg_config=$(ivm_pg_config)
if [ -f "$("$pg_config" --pkglibdir)/citus.so" ] &&
	[ -f "$("$pg_config" --sharedir)/extension/citus.control" ]; then
	ivm_log "Citus is installed in $("$pg_config" --version)"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "tools/citus.sh installs Citus: run it as root" >&2; exit 2; }
major=$("$pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
cache=/var/cache/jsonb_ivm/citus-$version-pg$major
# the configured PG_CONFIG is overridden: a tree cached for another
# installation of the same major version installs here as well
make=(make -C "$cache" -s with_llvm=no PG_CONFIG="$pg_config")

if [ ! -f "$cache/.complete" ]; then
	archive=$IVM_ROOT/../shared/vendor/citus-$version.tar.gz
	[ -f "$archive" ] || { echo "Citus is not installed and $archive is missing" >&2; exit 1; }
	ivm_install_packages libpq-dev libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev
	ivm_log "building Citus $version for PostgreSQL $major in $cache"
	rm -rf "$cache"
	mkdir -p "$cache"
	tar -C "$cache" --strip-components=1 -xzf "$archive"
	# recent minor releases (15.20) declare have_createdb_privilege(), which
	# Citus defines again as a static inline function: rename Citus's copy
	if grep -q have_createdb_privilege "$("$pg_config" --includedir-server)/commands/dbcommands.h"; then
		sed -i '/^static inline bool$/{N;/\nhave_createdb_privilege(void)$/s/^/#define have_createdb_privilege citus_have_createdb_privilege\n/}' \
			"$cache/src/include/pg_version_compat.h"
	fi
	(cd "$cache" && PG_CONFIG=$pg_config ./configure >configure.log) ||
		{ tail -n 20 "$cache/configure.log"; exit 1; }
	nice -n 10 "${make[@]}" -j2 >"$cache/build.log" 2>&1 ||
		{ tail -n 30 "$cache/build.log"; exit 1; }
	touch "$cache/.complete"
fi
ivm_log "installing Citus $version into $("$pg_config" --version)"
"${make[@]}" install >"$cache/install.log" 2>&1 ||
	{ tail -n 20 "$cache/install.log"; exit 1; }
