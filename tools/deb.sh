#!/usr/bin/env bash
# Build the Debian package in a temporary copy of the tree, install it into
# Debian's PostgreSQL, run `make installcheck` against the installed package
# on a throwaway cluster, then purge it.  Run as root.  Files a `make
# install` left in the same place are moved aside and put back at the end.
set -euo pipefail
unset PG_CONFIG # the package installs into Debian's PostgreSQL only
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || { echo "tools/deb.sh installs a package: run it as root" >&2; exit 2; }
pkg=postgresql-$PGVERSION-jsonb-ivm
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$IVM_ROOT/jsonb_ivm.control")
bindir=$(ivm_bindir)
ivm_start_cluster
work=$(mktemp -d /tmp/jsonb_ivm-deb.XXXXXX)

cleanup() {
	ivm_stop_cluster
	dpkg -s "$pkg" >/dev/null 2>&1 && dpkg --purge "$pkg" >/dev/null 2>&1
	[ -f "$work/aside.tar" ] && tar -C / -xf "$work/aside.tar"
	rm -rf "$work"
}
trap cleanup EXIT

# dpkg-buildpackage writes its artefacts next to the tree: build in a copy
# of the working tree (tracked and untracked files, without ignored ones)
ivm_log "building $pkg in $work"
mkdir "$work/jsonb-ivm"
ivm_copy_tree "$work/jsonb-ivm"
(cd "$work/jsonb-ivm" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log"; echo "not ok 1 - build $pkg"; exit 1; }
deb=$(ls "$work/${pkg}_"*.deb)
echo "ok 1 - build $(basename "$deb")"

# dpkg overwrites files no package owns without a word, and purging would
# then delete them: keep a copy of what a `make install` left behind
for f in "$("$bindir/pg_config" --sharedir)"/extension/jsonb_ivm[.-]* \
	"$("$bindir/pg_config" --pkglibdir)"/{jsonb_ivm.so,bitcode/jsonb_ivm*}; do
	[ -e "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1 && echo "${f#/}"
done >"$work/aside.list"
if [ -s "$work/aside.list" ]; then
	ivm_log "moving aside files of a make install: $(tr '\n' ' ' <"$work/aside.list")"
	tar -C / -cf "$work/aside.tar" -T "$work/aside.list"
	(cd / && xargs rm -rf <"$work/aside.list")
fi

dpkg -i "$deb" >>"$work/build.log" 2>&1 || { tail -n 20 "$work/build.log"; exit 1; }
if ! dpkg -L "$pkg" | grep -q "/extension/jsonb_ivm--$version\.sql$"; then
	echo "not ok 2 - $pkg installs jsonb_ivm--$version.sql"
	exit 1
fi
echo "ok 2 - $pkg installs jsonb_ivm--$version.sql"

# the suites run from the cleaned copy: installcheck needs no build products
status=0
make -C "$work/jsonb-ivm" -s PG_CONFIG="$bindir/pg_config" installcheck || status=$?
[ $status -eq 0 ] || cat "$work/jsonb-ivm/regression.diffs" "$work"/jsonb-ivm/output_iso/regression.diffs 2>/dev/null || true
exit $status
