#!/usr/bin/env bash
# The differential fuzzer of jsonb_ivm (test/lib/fuzz.sql): seeded cases of
# each of the nine functions, the C function against its plpgsql reference,
# byte for byte, errors by SQLSTATE; failures shrunk to a minimal
# reproducing statement.  Prints one TAP line per function ("ok N - ..." or
# "not ok N - ...") and exits non-zero on any failure.
#
#   tools/fuzz.sh [--quick]   2,300 cases per function (20,700 in all), for CI
#   tools/fuzz.sh --long      112,000 cases per function (1,008,000 in all)
#   tools/fuzz.sh --memory    a million calls of each function, in one
#                             statement and in one plpgsql loop: backend
#                             memory must not grow (test/lib/memory.sql)
#   tools/fuzz.sh --draw FILE      draw the cases and the reference's
#                                  verdicts only, into FILE
#   tools/fuzz.sh --replay FILE    run the C side of the cases in FILE
#                                  only (tools/valgrind.sh: the C functions
#                                  under valgrind, the rest without)
# Options:
#   --cases N    N cases per function instead
#   --jobs J     J parallel sessions (default 2)
#   --stream S   the seed stream (default: the mode's name); another stream
#                draws other cases, e.g. --stream "$(date +%s)"
#   --here       use the server that PGHOST, PGPORT and PGUSER point at
#                (jsonb_ivm installed) instead of building jsonb_ivm and
#                starting a throwaway cluster (whose processes may use at
#                most 1 GB of address space each)
#
# A server crash is survived: the chunk that was running is replayed case
# by case, the crashing call recorded, and at the end shrunk with one
# session per attempt (the first three crashes of each function).
set -euo pipefail
. "$(dirname "$0")/common.sh"

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }

mode=quick
cases=
jobs=2
stream=
here=false
draw=
replay=
while [ $# -gt 0 ]; do
	case "$1" in
		--quick | --long | --memory) mode=${1#--} ;;
		--draw) draw=$2; shift ;;
		--replay) replay=$2; shift ;;
		--cases) cases=$2; shift ;;
		--jobs) jobs=$2; shift ;;
		--stream) stream=$2; shift ;;
		--here) here=true ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
	esac
	shift
done
case $mode in
	quick) cases=${cases:-2300}; chunk=100 ;;
	long) cases=${cases:-112000}; chunk=250 ;;
	memory) cases=${cases:-1000000} ;;
esac
stream=${stream:-$mode}

if $here; then
	FUZZ_TMP=$(mktemp -d /tmp/jsonb_ivm_fuzz.XXXXXX)
	trap 'rm -rf "$FUZZ_TMP"' EXIT
else
	ivm_install_packages
	ivm_build
	# the server may reserve at most 1 GB of address space per process, so
	# that a call asking for absurd amounts of memory fails ("out of memory",
	# a disagreement) instead of passing unnoticed where memory is
	# overcommitted
	ulimit -v $((1024 * 1024))
	ivm_start_cluster
	FUZZ_TMP=$IVM_TMP
fi
db=jsonb_ivm_fuzz
export PGOPTIONS="-c client_min_messages=warning"

# psql on the fuzz database; quiet, unaligned, stopping at the first error.
fpsql() { ivm_psql -d "$db" -q -At "$@"; }

# Wait until the server accepts connections again (after a crash, the
# postmaster reinitializes).
wait_server() {
	local i
	for i in $(seq 1 120); do
		fpsql -c 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "the server did not come back" >&2
	return 1
}

ivm_log "fuzz: preparing database $db"
ivm_psql -d postgres -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
(cd "$IVM_ROOT" && fpsql -c 'CREATE EXTENSION jsonb_ivm' \
	-f test/lib/helpers.sql -f test/lib/reference.sql -f test/lib/generator.sql -f test/lib/fuzz.sql) >/dev/null

if [ "$mode" = memory ]; then
	ivm_log "fuzz: memory, $cases calls of each function per way, each in a fresh backend"
	(cd "$IVM_ROOT" && fpsql -f test/lib/memory.sql) >/dev/null
	for fn in $(fpsql -c "SELECT fn FROM ivm_mem.call ORDER BY ord"); do
		for way in statement "plpgsql loop"; do
			fpsql -v fn="$fn" -v way="$way" -v calls="$cases" >/dev/null <<-'EOF'
				SELECT ivm_mem.start(:'fn', :'way', :calls);
				SELECT ivm_mem.run(:'fn', :'way', 10000);
				SELECT ivm_mem.reset_peak();
				SELECT ivm_mem.run(:'fn', :'way', 10000);
				SELECT ivm_mem.note(:'fn', :'way', 'small');
				SELECT ivm_mem.reset_peak();
				SELECT ivm_mem.run(:'fn', :'way', :calls);
				SELECT ivm_mem.note(:'fn', :'way', 'big');
			EOF
		done
	done
	ivm_psql -d "$db" -q -c "SELECT * FROM ivm_mem.report()"
	fpsql -F $'\t' -c "SELECT fn, way, verdict FROM ivm_mem.report()" >"$FUZZ_TMP/memory"
	i=0
	bad=0
	while IFS=$'\t' read -r fn way verdict; do
		i=$((i + 1))
		if [ "$verdict" = ok ]; then
			echo "ok $i - memory jsonb_$fn, $way: $cases calls"
		else
			echo "not ok $i - memory jsonb_$fn, $way: $cases calls: ${verdict#FAIL: }"
			bad=$((bad + 1))
		fi
	done <"$FUZZ_TMP/memory"
	[ "$bad" -eq 0 ]
	exit
fi

# What fuzzes cases FIRST .. LAST: ivm_fuzz.run, or ivm_fuzz.replay of the
# cases drawn into a file.
runner=run
if [ -n "$draw" ]; then
	runner=draw
elif [ -n "$replay" ]; then
	runner=replay
	ivm_log "fuzz: loading the cases drawn into $replay"
	fpsql -c "\\copy ivm_fuzz.drawn FROM '$replay'"
	[ "$(fpsql -c "SELECT count(DISTINCT case_no) FROM ivm_fuzz.drawn WHERE stream = '$stream'")" -ge "$cases" ] ||
		{ echo "$replay holds fewer than $cases cases of stream '$stream'" >&2; exit 1; }
fi

# run_case N [FN]: fuzz case N (of function FN, or of all nine) in its own
# session; on failure, leaves the psql exit status in $? and its output in
# $FUZZ_TMP/case.out.
run_case() {
	local fns=NULL
	[ $# -gt 1 ] && fns="ARRAY['$2']"
	fpsql -c "SELECT ivm_fuzz.$runner('$stream', $1, $1, $fns)" >"$FUZZ_TMP/case.out" 2>&1
}

# replay_chunk FIRST LAST: after a session died (or stopped at an error)
# while fuzzing cases FIRST .. LAST, fuzz them one case per session, and a
# case that fails again one function per session: the failing call is
# recorded as a failure ("server crash", or the error).
replay_chunk() {
	local n fn status why
	ivm_log "fuzz: replaying cases $1 .. $2 one by one"
	for ((n = $1; n <= $2; n++)); do
		wait_server
		status=0
		run_case "$n" || status=$?
		[ $status -eq 0 ] && continue
		for fn in $(fpsql -c "SELECT unnest(ivm_fuzz.functions())"); do
			wait_server
			status=0
			run_case "$n" "$fn" || status=$?
			[ $status -eq 0 ] && continue
			if [ $status -eq 2 ]; then
				why="server crash"
			else
				why="error: $(grep -m1 ERROR "$FUZZ_TMP/case.out" || tail -n1 "$FUZZ_TMP/case.out")"
			fi
			ivm_log "fuzz: case $n of $fn: $why"
			wait_server
			fpsql -v fn="$fn" -v n="$n" -v why="$why" -v stream="$stream" >/dev/null \
				<<<"SELECT ivm_fuzz.note_crash(:'stream', :'fn', :n, :'why');" ||
				echo "fuzz: could not record case $n of $fn" >&2
			echo "$fn $n" >>"$FUZZ_TMP/crashes"
		done
	done
}

# worker W: fuzz chunks W, W + jobs, W + 2 jobs, ... of the cases, in one
# session; after a session dies, replay its chunk and go on in a new one.
worker() {
	local w=$1 first last status
	local -a todo=()
	for ((first = 1 + w * chunk; first <= cases; first += jobs * chunk)); do
		todo+=("$first")
	done
	while [ ${#todo[@]} -gt 0 ]; do
		for first in "${todo[@]}"; do
			last=$((first + chunk - 1 > cases ? cases : first + chunk - 1))
			echo "SELECT ivm_fuzz.$runner('$stream', $first, $last);"
		done >"$FUZZ_TMP/worker$w.sql"
		status=0
		fpsql -f "$FUZZ_TMP/worker$w.sql" >"$FUZZ_TMP/worker$w.out" 2>&1 || status=$?
		[ $status -eq 0 ] && return 0
		cat "$FUZZ_TMP/worker$w.out" >&2
		wait_server
		# the chunks done are in the tally; the first one left was running
		mapfile -t todo < <(fpsql -c "
			SELECT f FROM unnest('{$(IFS=,; echo "${todo[*]}")}'::int[]) WITH ORDINALITY AS t(f, o)
			WHERE NOT EXISTS (SELECT FROM ivm_fuzz.tally WHERE stream = '$stream'
				AND first = f AND last = least(f + $chunk - 1, $cases))
			ORDER BY o")
		[ "$runner" = draw ] && return 1
		[ ${#todo[@]} -eq 0 ] && return 0
		first=${todo[0]}
		replay_chunk "$first" $((first + chunk - 1 > cases ? cases : first + chunk - 1))
		todo=("${todo[@]:1}")
	done
}

# shrink_crash FN N: shrink a call that crashes the server, one session
# per attempt: take the first reduction (ivm_fuzz.reductions) that still
# crashes it, until none does or 400 attempts were made.
shrink_crash() {
	local fn=$1 n=$2 k count status tries=0 found
	fpsql -v fn="$fn" -v n="$n" -v stream="$stream" <<-'EOF'
		DROP TABLE IF EXISTS ivm_fuzz.crash_call, ivm_fuzz.crash_try;
		CREATE TABLE ivm_fuzz.crash_call AS
			SELECT x FROM ivm_fuzz.make_case(:'fn', :'stream', :n) x;
		CREATE TABLE ivm_fuzz.crash_try (k int, x ivm_fuzz.call);
	EOF
	while [ $tries -lt 400 ]; do
		count=$(fpsql -c "TRUNCATE ivm_fuzz.crash_try" -c "
			INSERT INTO ivm_fuzz.crash_try
			SELECT row_number() OVER (), r
			FROM ivm_fuzz.crash_call c, LATERAL ivm_fuzz.reductions(c.x) r" \
			-c "SELECT count(*) FROM ivm_fuzz.crash_try")
		found=false
		for ((k = 1; k <= count && tries < 400; k++)); do
			tries=$((tries + 1))
			status=0
			fpsql -c "SELECT ivm_fuzz.invoke(x, false) FROM ivm_fuzz.crash_try WHERE k = $k" \
				>/dev/null 2>&1 || status=$?
			if [ $status -eq 2 ]; then
				wait_server
				fpsql -c "UPDATE ivm_fuzz.crash_call SET x = (SELECT x FROM ivm_fuzz.crash_try WHERE k = $k)"
				found=true
				break
			fi
		done
		$found || break
	done
	fpsql -v fn="$fn" -v n="$n" -v stream="$stream" <<-'EOF'
		UPDATE ivm_fuzz.failure f SET statement = ivm_fuzz.sql(c.x), shrunk = true,
			reference = ivm_fuzz.ref_text(c.x)
		FROM ivm_fuzz.crash_call c
		WHERE f.stream = :'stream' AND f.fn = :'fn' AND f.case_no = :n
			AND f.problem = 'server crash';
	EOF
}

ivm_log "fuzz: $mode, $cases cases of each of the 9 functions, stream '$stream', $jobs session(s)"
start=$SECONDS
pids=()
for ((w = 0; w < jobs; w++)); do
	worker "$w" &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid" || true
done
if [ "$runner" = draw ]; then
	fpsql -c "\\copy (SELECT * FROM ivm_fuzz.drawn WHERE stream = '$stream' ORDER BY case_no) TO '$draw'"
	echo "# fuzz: drew $cases cases of each of the 9 functions, stream '$stream', into $draw in $((SECONDS - start))s"
	exit
fi
if [ -s "$FUZZ_TMP/crashes" ]; then
	# the first three crashes of each function
	sort -k1,1 -k2,2n "$FUZZ_TMP/crashes" | awk '++seen[$1] <= 3' |
		while read -r fn n; do
			ivm_log "fuzz: shrinking the crash of $fn, case $n"
			shrink_crash "$fn" "$n" || true
		done
fi
elapsed=$((SECONDS - start))

# the report: one TAP line per function, then its failures
fpsql -F $'\t' -c "SELECT fn, cases, failed, outcomes FROM ivm_fuzz.summary('$stream')" \
	>"$FUZZ_TMP/summary"
total=0
bad=0
i=0
while IFS=$'\t' read -r fn n failed outcomes; do
	i=$((i + 1))
	total=$((total + n))
	if [ "$n" -ge "$cases" ] && [ "$failed" -eq 0 ]; then
		echo "ok $i - fuzz jsonb_$fn: $n cases, 0 failures"
	else
		echo "not ok $i - fuzz jsonb_$fn: $n of $cases cases, $failed failures"
		bad=$((bad + 1))
	fi
	echo "#   outcomes: $outcomes"
	[ "$failed" -eq 0 ] && continue
	fpsql -v fn="$fn" -v stream="$stream" <<-'EOF'
		SELECT format(E'#   %s: %s case(s), e.g. case %s (%s)\n#     %s\n#     reference: %s\n#     C:         %s',
			problem, count, case_no, label, statement, reference, c_module)
		FROM (SELECT problem, count(*) OVER (PARTITION BY problem) AS count,
				row_number() OVER (PARTITION BY problem ORDER BY shrunk DESC, length(statement), case_no) AS r,
				case_no, label, statement, reference, c_module
			FROM ivm_fuzz.failure WHERE stream = :'stream' AND fn = :'fn') f
		WHERE r = 1
		ORDER BY problem;
	EOF
done <"$FUZZ_TMP/summary"
echo "# fuzz: $total cases in ${elapsed}s, $bad of 9 functions failed"
[ "$bad" -eq 0 ]
