#!/usr/bin/env bash
# The benchmark suite on a throwaway cluster (tools/common.sh): fixtures of
# fixtures/cqrs.sql in several size classes and two storage variants, every
# level with the contenders interleaved; writes bench/README.md (--full) or
# bench/results/README.md (--quick), CSV samples and a chart (with gnuplot)
# to bench/results/.
# Usage: sudo bench/run.sh [--quick | --full] [--out DIR]
#   --quick  about five minutes, one fixture per size class (default)
#   --full   about half an hour, every level on every size class
# Environment: PGVERSION or PG_CONFIG; BENCH_CLASSES, size classes as
# name:servers per configuration:configurations:payload width:levels, levels
# c compute, f function, s statement, p pgbench cascade, x 100-cascade
# stress loop, b bulk (one statement changes 100 servers).
set -euo pipefail
. "$(dirname "$0")/../tools/common.sh"

mode=quick out=
while [ $# -gt 0 ]; do
	case $1 in
		--quick|--full) mode=${1#--} ;;
		--out) out=$2; shift ;;
		-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
report=${out:-$IVM_ROOT/bench/results}/README.md
[ -z "$out" ] && [ $mode = full ] && report=$IVM_ROOT/bench/README.md
out=${out:-$IVM_ROOT/bench/results}

# rounds (compute, function; statement, stress, bulk), ms of a compute sample
# and its cap, ms of a function sample, s of pgbench warm-up, pgbench rounds,
# memory rounds, trigger-maintained cascade rounds
if [ $mode = quick ]; then
	# the 10-100 KB class with 20 configurations: a fifth of them per query
	classes=${BENCH_CLASSES:-"xs:5:100:0:cfs s:50:100:0:cfspxb m:500:20:0:cfs l:1000:10:900:cf"}
	set -- 3 2 40 150 20 1 5 1 7
else
	classes=${BENCH_CLASSES:-"xs:5:100:0:cfspxb s:50:100:0:cfspxb s100:100:100:0:cfsxb m:500:100:0:cfspxb l:1000:10:900:cfspb"}
	set -- 5 3 100 1000 50 2 6 2 11
fi
read -r rounds stmt_rounds compute_ms compute_cap_ms function_ms pgbench_s pgbench_rounds \
	memory_rounds trigger_rounds <<<"$*"
op_contenders="seed best ivm floor"
cascade_contenders="seed best ivm_merge ivm floor"

# Every table in shared buffers, no autovacuum (the runner vacuums), no JIT,
# no checkpoint during a run.  A fixed mmap threshold (32 MB, the maximum):
# with glibc's dynamic one, whether a 1 MB value is mapped and page-faulted
# afresh on every call depends on the backend's history (2-4x in cost).
export IVM_SERVER_OPTS="-c shared_buffers=2GB -c autovacuum=off -c jit=off \
-c max_wal_size=8GB -c checkpoint_timeout=1h ${IVM_SERVER_OPTS:-}"
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=33554432}
ivm_setup

bindir=$(ivm_bindir) db=jsonb_ivm_bench start=$SECONDS log=$out/run.log
mkdir -p "$out" && rm -f "$out"/*.md "$out"/*.csv "$out"/*.png "$out"/*.dat && : >"$log"
phase() { ivm_log "[$((SECONDS - start))s] $*"; echo "[$((SECONDS - start))s] $*" >>"$log"; }
# psql on the bench database, the schema given first (or "-") in search_path
sql() {
	local opts="-c client_min_messages=warning"
	[ "$1" != - ] && opts="$opts -c search_path=$1,public"
	shift
	PGOPTIONS=$opts "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}
env_row() { echo "INSERT INTO bench.env VALUES (:'k', :'v')" | sql - -v k="$1" -v v="$2"; }
arr() { echo "{$(echo "$*" | tr ' ' ',')}"; }
vacuum='VACUUM bench_dns_servers, tv_dns_server, tv_network_configuration, tv_ranked_configuration, tv_allocation;'
# the contenders after the round number, rotated by one place every round
rotated() { local r=$1; shift; local a=("$@"); for k in "${!a[@]}"; do echo "${a[(k + r) % $#]}"; done; }
# each_round N CONTENDERS STATEMENT: STATEMENT for rounds 0..N, each contender
# in turn in rotated order, after a VACUUM; %r is the round, %w the contender
each_round() {
	for r in $(seq 0 "$1"); do
		for w in $(rotated "$r" $2); do local x=${3//%r/$r}; echo "$vacuum ${x//%w/$w}"; done
	done
}

"$bindir/createdb" "$db"
sql - -c 'CREATE EXTENSION jsonb_ivm' -f "$IVM_ROOT/fixtures/cqrs.sql" \
	-f "$IVM_ROOT/bench/cascade_lib.sql" -f "$IVM_ROOT/bench/operations.sql" \
	-f "$IVM_ROOT/bench/memory.sql" -f "$IVM_ROOT/bench/report.sql" \
	-c 'SELECT bench.make_loops()' >/dev/null
env_row mode $mode
env_row date "$(date -u '+%Y-%m-%d %H:%M UTC')"
env_row commit "$(git -C "$IVM_ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
env_row machine "$(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)"
env_row cpu "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
env_row cflags "$("$(ivm_pg_config)" --cflags | sed 's/ -f[a-z-]*=[^ ]*//g')"
env_row rounds "$rounds measured rounds (plus one warm-up) at the compute and function levels, $stmt_rounds at the statement level, stress and bulk, $trigger_rounds for the trigger-maintained cascade; samples of about ${compute_ms} ms (compute) and ${function_ms} ms (function); pgbench: one warm-up round of ${pgbench_s} s per contender, then $pgbench_rounds rounds of as many transactions per contender as the median contender did in the warm-up; memory: $memory_rounds sample(s) per contender"
env_row classes "$classes"
# what the server really got (su may rewrite the variable)
env_row malloc "$(tr '\0' '\n' </proc/"$(head -1 "$IVM_TMP/data/postmaster.pid")"/environ |
	grep '^GLIBC_TUNABLES=' || echo 'glibc defaults')"

ops=$(sql - -c 'SELECT string_agg(op, $$ $$ ORDER BY ord) FROM bench.op')
for spec in $classes; do
	IFS=: read -r name k confs payload levels <<<"$spec"
	variants=default
	# the tuned variant only matters where documents are written
	[[ $levels =~ [spxb] ]] && variants="default tuned"
	for variant in $variants; do
		s=${name}_$variant
		tuned=$([ $variant = tuned ] && echo true || echo false)
		phase "fixture $s: $k servers per configuration, $confs configurations, payload $payload"
		sql $s -c "CREATE SCHEMA $s" -c "SELECT bench.add_class('$name', '$variant', $k, $confs, $payload,
			'$levels')" -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >>"$log"

		# compute and function levels, default storage: all rounds of one
		# operation in one backend (round 0 warms up, grows its heap, fills caches)
		for level in compute function; do
			[[ $variant = default && $levels == *${level:0:1}* ]] || continue
			phase "$level level, class $name"
			for op in $ops; do
				if [ $level = compute ]; then
					who=$(arr loop $op_contenders)
					plan="SELECT bench.plan_compute('$name', '$op', '$who', $rounds, $compute_ms, 10000, $compute_cap_ms)"
				else
					who=$(arr $op_contenders)
					plan="SELECT bench.verify_op('$name', 'default', '$op'); SELECT bench.plan_function('$name', '$op', '$who', $function_ms)"
				fi
				sql $s -c "$plan" >/dev/null
				seq 0 "$rounds" | sed "s/.*/CALL bench.${level}_round('$name', 'default', '$op', &, '$who');/" | sql $s
			done
		done

		servers=$(sql - -c "SELECT servers FROM bench.class WHERE class = '$name' AND variant = '$variant'")
		if [[ $levels == *s* ]]; then
			phase "statement level, class $name, $variant storage"
			for op in $(sql - -c 'SELECT string_agg(op, $$ $$ ORDER BY ord) FROM bench.op WHERE writes'); do
				each_round "$stmt_rounds" "$op_contenders" \
					"CALL bench.statement_round('$name', '$variant', '$op', %r, '{%w}');" | sql $s
			done
		fi
		# pgbench round 0 runs each contender for $pgbench_s s and checks the
		# projections; then every contender runs as many transactions as the
		# median one did in round 0 (none pays for another's dead tuples)
		if [[ $levels == *p* ]]; then
			phase "pgbench cascade, class $name, $variant storage"
			for r in $(seq 0 "$pgbench_rounds"); do
				length="-T $pgbench_s"
				[ "$r" -eq 0 ] || length="-t $(sql - -c "SELECT bench.pgbench_transactions('$name', '$variant')")"
				for who in $(rotated "$r" $cascade_contenders); do
					sql $s -c "$vacuum"
					lsn=$(sql - -c 'SELECT pg_current_wal_insert_lsn()')
					res=$(PGOPTIONS="-c search_path=$s,public" "$bindir/pgbench" -n -M simple $length \
						-f "$IVM_ROOT/bench/cascade.pgbench" -D contender=$who -D servers="$servers" \
						-D tuned=$tuned "$db" 2>&1) || { echo "$res" >&2; exit 1; }
					txs=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$res")
					lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$res")
					sql - -c "INSERT INTO bench.pgbench_sample VALUES ('$name', '$variant', '$who', $r, $lat, $txs,
						pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn')::bigint)"
					[ "$r" -gt 0 ] || sql $s -c "SELECT bench.check_pgbench('$name', '$variant', '$who', $txs)" >/dev/null
				done
			done
		fi
		for kind in stress:x bulk:b; do
			[[ $levels == *${kind#*:}* ]] || continue
			kind=${kind%:*}
			phase "$kind: 100 DNS servers change, class $name, $variant storage"
			each_round "$stmt_rounds" "$cascade_contenders" "CALL bench.cascade_round('$kind:$name:$variant', '$kind',
				%r, '$(arr $(seq 1 100))', '10.9.9.9', $tuned, '{%w}', %r = 0);" | sql $s
		done
	done
done
sql - -c 'SELECT bench.check_cascades()' >/dev/null

phase "trigger-maintained cascade: recipes/ against bench/native_triggers.sql"
sql - -c 'CREATE SCHEMA triggers'
(cd "$IVM_ROOT" && sql triggers -v rounds=$trigger_rounds -c 'SELECT generate_cqrs_data(50, 100)' \
	-f recipes/cqrs_projections.sql -f bench/triggers.sql -c 'SELECT bench.record_triggers()') >>"$log"

phase "memory: peak backend memory of one call on 100 KB and 10 MB documents"
sql - -c 'SELECT bench.prepare_memory_cases()' >>"$log"
toast=$(sql - -c "SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'bench.mem_case'::regclass")
# one fresh backend per sample: size, operation, round, contenders rotated
sql - -c "SELECT s.n, o.op, r, (c)[(k + r) % cardinality(c) + 1]
	FROM (VALUES (1, '100 KB'), (2, '10 MB')) s(i, n), bench.op o, generate_series(1, $memory_rounds) r,
		CAST('$(arr $op_contenders)' AS text[]) c, generate_series(0, cardinality(c) - 1) k
	ORDER BY s.i, o.ord, r, k" | while IFS='|' read -r size op r who; do
	sql - -v size="$size" -v op=$op -v who=$who -v r=$r -v toast="$toast" -f "$IVM_ROOT/bench/memory_sample.sql" </dev/null
done

phase "writing $report and $out"
sql - -c "SELECT bench.record_server('$((SECONDS - start)) s')" >/dev/null
sql - -c 'SELECT bench.md_readme()' >"$report"
for t in sample compute_plan pgbench_sample cascade_run trigger_sample memory_sample check_result class env; do
	sql - -c "\\copy (SELECT * FROM bench.$t) TO '$out/$t.csv' WITH (FORMAT csv, HEADER)"
done
if command -v gnuplot >/dev/null; then
	sql - -c 'SELECT bench.chart_compute()' >"$out/chart_compute.dat"
	sql - -c 'SELECT bench.chart_cascade()' >"$out/chart_cascade.dat"
	(cd "$out" && gnuplot "$IVM_ROOT/bench/chart.gp") >>"$log" 2>&1 || ivm_log "gnuplot failed: see $log"
	rm -f "$out"/chart_*.dat
fi
phase "done in $((SECONDS - start)) s ($mode mode)"
sql - -c 'SELECT bench.md_verdict()'
echo "report: $report; samples and chart: $out"
