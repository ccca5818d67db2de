#!/usr/bin/env bash
# Run the pg_regress suite and the fuzzer's quick mode (tools/fuzz.sh; its
# cases drawn beforehand without valgrind, the C functions run under it)
# with a throwaway server under valgrind's memcheck, then count the errors
# valgrind reported and those of them with a frame in jsonb_ivm.so.
# tools/valgrind.supp suppresses PostgreSQL-internal false positives only.
# Exits non-zero when an error involves jsonb_ivm.
#
#   tools/valgrind.sh [--regress-only | --fuzz-only] [--cases N]
#
# --cases N: fuzz N cases per function instead of quick mode's 2,300.
# The valgrind logs (one per process) and the suites' output are kept in the
# directory named at the end.  Installs valgrind from Debian if missing.
set -euo pipefail
. "$(dirname "$0")/common.sh"

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }

regress=true
fuzz=true
cases=
while [ $# -gt 0 ]; do
	case "$1" in
		--regress-only) fuzz=false ;;
		--fuzz-only) regress=false ;;
		--cases) cases=$2; shift ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
	esac
	shift
done

ivm_install_packages
if ! command -v valgrind >/dev/null; then
	ivm_log "installing valgrind"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi
ivm_build

VG_DIR=$(mktemp -d /tmp/jsonb_ivm_valgrind.XXXXXX)
mkdir -p "$VG_DIR/logs"
chmod -R 755 "$VG_DIR"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$VG_DIR"
bindir=$(ivm_bindir)

# pg_ctl starts this instead of postgres; every process the postmaster
# forks stays under valgrind and writes its own log.  (The server runs with
# jit=off: LLVM's JIT has nothing to do with jsonb_ivm, and loading it
# under valgrind only adds glibc loader noise.)
cat >"$VG_DIR/postgres" <<EOF
#!/bin/sh
exec valgrind --quiet --trace-children=yes --leak-check=no --track-origins=yes \\
	--num-callers=40 --read-inline-info=yes --gen-suppressions=all \\
	--suppressions="$IVM_ROOT/tools/valgrind.supp" \\
	--error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END --fullpath-after= \\
	--log-file="$VG_DIR/logs/%p.log" \\
	"$bindir/postgres" "\$@"
EOF
chmod 755 "$VG_DIR/postgres"

# The fuzzer's cases and the reference's verdicts are drawn first, on a
# throwaway cluster without valgrind: under valgrind, drawing them (plpgsql)
# would take hours; only the C functions need to run there.
if $fuzz; then
	ivm_log "valgrind: drawing the fuzzer's cases (quick mode) without valgrind"
	"$IVM_ROOT/tools/fuzz.sh" --quick ${cases:+--cases "$cases"} --draw "$VG_DIR/cases.copy" \
		>"$VG_DIR/draw.log" 2>&1 || { cat "$VG_DIR/draw.log" >&2; exit 1; }
	tail -n 1 "$VG_DIR/draw.log"
fi

stop_server() {
	ivm_as_owner "$bindir/pg_ctl" -D "$VG_DIR/data" -m fast -t 600 stop >/dev/null 2>&1 || true
	rm -rf "$VG_DIR/data"
}
trap stop_server EXIT

ivm_log "starting a PostgreSQL $PGVERSION cluster under valgrind in $VG_DIR"
ivm_as_owner "$bindir/initdb" -D "$VG_DIR/data" -A trust -U postgres --no-sync -E UTF8 \
	--locale=C.UTF-8 >"$VG_DIR/initdb.log" 2>&1 || { cat "$VG_DIR/initdb.log" >&2; exit 1; }
ivm_as_owner "$bindir/pg_ctl" -p "$VG_DIR/postgres" -D "$VG_DIR/data" -w -t 900 \
	-l "$VG_DIR/server.log" \
	-o "-k $VG_DIR -p 5432 -c listen_addresses= -c fsync=off -c max_connections=20 -c jit=off" \
	start >/dev/null || { cat "$VG_DIR/server.log" >&2; exit 1; }
export PGHOST=$VG_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
start=$SECONDS

if $regress; then
	ivm_log "valgrind: pg_regress suite (results in $VG_DIR/regress)"
	make -C "$IVM_ROOT" -s PG_CONFIG="$(ivm_pg_config)" installcheck \
		REGRESS_OPTS="--load-extension=jsonb_ivm --outputdir=$VG_DIR/regress" \
		>"$VG_DIR/regress.log" 2>&1 || true
	grep -E 'tests (passed|failed)|failed \(|^ok|^not ok|\.\.\. (ok|FAILED)' "$VG_DIR/regress.log" || true
fi
if $fuzz; then
	ivm_log "valgrind: fuzzer, quick mode, the C side of the drawn cases"
	"$IVM_ROOT/tools/fuzz.sh" --here --quick ${cases:+--cases "$cases"} \
		--replay "$VG_DIR/cases.copy" >"$VG_DIR/fuzz.log" 2>&1 || true
	grep -E '^(ok|not ok) |^# fuzz' "$VG_DIR/fuzz.log" || true
fi
stop_server
trap - EXIT
elapsed=$((SECONDS - start))

# Every error of every process (logs/<pid>.log, between valgrind's error
# markers): it involves jsonb_ivm when a frame of one of its stacks (where
# it happened, where the memory came from) is in jsonb_ivm.so, that is, in
# one of our source files (src/*.c; --fullpath-after= makes valgrind name
# them as src/<file>.c) or, without line information, in jsonb_ivm.so.
# Written out for reading: the first error involving jsonb_ivm, and every
# other error with the suppression valgrind proposes for it (for
# tools/valgrind.supp if it is a PostgreSQL-internal false positive).
ours_pattern="jsonb_ivm\\.so|/src/($(cd "$IVM_ROOT/src" && ls *.c | sed 's/\.c$//' | paste -sd'|'))\\.c:[0-9]"
awk -v pat="$ours_pattern" -v out="$VG_DIR/jsonb_ivm_errors.txt" \
	-v first="$VG_DIR/first_jsonb_ivm_error.txt" -v others="$VG_DIR/other_errors.txt" '
	FNR == 1 { file = FILENAME; sub(/.*\//, "", file); pending = 0; insupp = 0 }
	/VALGRINDERROR-BEGIN/ { inerr = 1; ours = 0; what = ""; block = ""; next }
	/VALGRINDERROR-END/ {
		inerr = 0; total++
		if (ours) {
			nours++; printf "%s: %s\n", file, what >> out
			if (nours == 1) printf "%s:\n%s", file, block > first
			pending = 0
		} else {
			other[what]++; printf "%s:\n%s", file, block >> others
			pending = 1
		}
		next
	}
	inerr {
		line = $0; sub(/^==[0-9]+== ?/, "", line); block = block line "\n"
		if (what == "" && line != "") what = line
		if (line ~ pat) ours = 1
		next
	}
	pending && /^\{/ { insupp = 1 }
	insupp { print >> others; if (/^\}/) { insupp = 0; pending = 0 } }
	END {
		printf "valgrind: %d errors, %d of them in jsonb_ivm.so\n", total, nours
		for (w in other) printf "  not jsonb_ivm: %d x %s\n", other[w], w
	}' "$VG_DIR"/logs/*.log | tee "$VG_DIR/summary.txt"
ours=$(sed -n 's/^valgrind: [0-9]* errors, \([0-9]*\) of them.*/\1/p' "$VG_DIR/summary.txt")
if [ "${ours:-0}" -gt 0 ]; then
	echo "--- errors in jsonb_ivm.so, by kind (list: $VG_DIR/jsonb_ivm_errors.txt) ---"
	sed 's/^[^:]*: //' "$VG_DIR/jsonb_ivm_errors.txt" | sort | uniq -c | sort -rn
	echo "--- the first of them ---"
	cat "$VG_DIR/first_jsonb_ivm_error.txt"
fi
echo "valgrind: ${elapsed}s; logs, suites' output and summary in $VG_DIR"
[ "${ours:-0}" -eq 0 ]
