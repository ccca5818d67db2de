#!/usr/bin/env bash
# The benchmark suite: does jsonb_ivm pay off?  Builds and installs the
# extension, starts a throwaway cluster (tools/common.sh), generates the CQRS
# fixture of fixtures/cqrs.sql in several size classes and two storage
# variants, runs every level with the contenders interleaved and repeated,
# and writes bench/results/: results.md (tables by operation and size
# class), chart.png, decision.md (the seed plan's PROCEED / CONDITIONAL /
# PIVOT criteria applied to the numbers), README-performance.md (the
# README's Performance section) and the raw samples as CSV.
#
# Usage: sudo bench/run.sh [--quick | --full] [--out DIR]
#   --quick  about five minutes: fewer rounds, shorter samples, one fixture per
#            size class, the cascade levels on the seed's scale only (default)
#   --full   about half an hour: every level on every size class
# Environment: PGVERSION (default 15), BENCH_CLASSES to override the size
# classes (see below).
set -euo pipefail
. "$(dirname "$0")/../tools/common.sh"

mode=quick
out=$IVM_ROOT/bench/results
while [ $# -gt 0 ]; do
	case $1 in
		--quick) mode=quick ;;
		--full) mode=full ;;
		--out) out=$2; shift ;;
		-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

# Size classes: name:servers per configuration:configurations:payload
# width:levels, levels being letters: c compute, f function, s statement,
# p pgbench cascade, x 100-cascade stress loop, b bulk (100 servers).
# The document size of each class is measured, not assumed.
if [ "$mode" = quick ]; then
	# one class per document size class; the 10-100 KB class with 20
	# configurations (the same documents, a fifth of them per query)
	classes=${BENCH_CLASSES:-"xs:5:100:0:cfs s:50:100:0:cfspxb m:500:20:0:cfs l:1000:10:900:cf"}
	rounds=3			# measured rounds (plus one warm-up): compute, function
	stmt_rounds=2		# the same for statement, stress and bulk
	compute_ms=40		# target duration of one compute sample
	compute_cap_ms=150	# longest compute sample to reach 10,000 calls
	function_ms=20		# target duration of one function sample
	pgbench_s=1			# seconds of the warm-up pgbench run
	pgbench_rounds=5
	memory_rounds=1
	trigger_rounds=7	# rounds of the trigger-maintained cascade
else
	classes=${BENCH_CLASSES:-"xs:5:100:0:cfspxb s:50:100:0:cfspxb s100:100:100:0:cfsxb m:500:100:0:cfspxb l:1000:10:900:cfspb"}
	rounds=5
	stmt_rounds=3
	compute_ms=100
	compute_cap_ms=1000
	function_ms=50
	pgbench_s=2
	pgbench_rounds=6
	memory_rounds=2
	trigger_rounds=11
fi
op_contenders="seed best ivm floor"
cascade_contenders="seed best ivm_merge ivm floor"

# A cluster for benchmarks: every table in shared buffers, no autovacuum
# (the runner vacuums between rounds), no JIT (its compile time would
# dominate short queries), no checkpoint in the middle of a run.
export IVM_SERVER_OPTS="-c shared_buffers=2GB -c autovacuum=off -c jit=off \
-c max_wal_size=8GB -c checkpoint_timeout=1h ${IVM_SERVER_OPTS:-}"
# glibc malloc with a fixed mmap threshold (32 MB, its maximum): with the
# default, dynamic one, whether a large value (a 1 MB document and its copy)
# is mapped afresh, and so page-faulted in, on every call depends on the
# backend's allocation history; that made large documents cost two to four
# times more in some runs than in others, for every contender alike.
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=33554432}

ivm_install_packages
if ! command -v gnuplot >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		ivm_log "installing gnuplot-nox for the chart"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			gnuplot-nox >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				gnuplot-nox >/dev/null 2>&1; } ||
			ivm_log "gnuplot-nox could not be installed: no chart"
	else
		ivm_log "gnuplot is missing and we are not root: no chart"
	fi
fi
ivm_build
ivm_start_cluster

bindir=$(ivm_bindir)
db=jsonb_ivm_bench
bench_start=$SECONDS
mkdir -p "$out"
rm -f "$out"/*.md "$out"/*.csv "$out"/*.png "$out"/*.dat "$out"/*.gp
log=$out/run.log
: >"$log"

phase() { ivm_log "[$((SECONDS - bench_start))s] $*"; echo "[$((SECONDS - bench_start))s] $*" >>"$log"; }

# psql on the bench database; the first argument is the fixture schema (or
# "-" for none) put first in search_path.
sql() {
	local schema=$1
	shift
	local opts="-c client_min_messages=warning"
	[ "$schema" != - ] && opts="$opts -c search_path=$schema,public"
	PGOPTIONS=$opts "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}

"$bindir/createdb" "$db"
sql - -c 'CREATE EXTENSION jsonb_ivm' \
	-f "$IVM_ROOT/fixtures/cqrs.sql" \
	-f "$IVM_ROOT/bench/cascade_lib.sql" \
	-f "$IVM_ROOT/bench/operations.sql" \
	-f "$IVM_ROOT/bench/memory.sql" \
	-f "$IVM_ROOT/bench/report.sql" \
	-c 'SELECT bench.make_loops()' >/dev/null

# the machine, PostgreSQL and the run ------------------------------------------

env_row() { echo "INSERT INTO bench.env VALUES (:'k', :'v')" | sql - -v k="$1" -v v="$2"; }
env_row mode "$mode"
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

# fixtures -----------------------------------------------------------------

class_names=()
for spec in $classes; do
	IFS=: read -r name k confs payload levels <<<"$spec"
	class_names+=("$name")
	for variant in default tuned; do
		# the tuned variant only matters where documents are written
		if [ "$variant" = tuned ] && ! [[ $levels =~ [spxb] ]]; then
			continue
		fi
		schema=${name}_$variant
		phase "fixture $schema: $k servers per configuration, $confs configurations, payload $payload"
		sql - -c "CREATE SCHEMA $schema"
		sql "$schema" -c "SELECT generate_cqrs_data($k, $confs, $payload, $( [ $variant = tuned ] && echo true || echo false))" \
			-c 'SELECT bench.prepare_cases()' -c 'VACUUM ANALYZE' >>"$log"
		sql "$schema" -v cls="$name" -v var="$variant" -v k="$k" -v confs="$confs" \
			-v payload="$payload" -v levels="$levels" <<<"
			INSERT INTO bench.class
			SELECT :'cls', :'var', :k, :confs, :payload, :'levels',
				(SELECT count(*) FROM bench_dns_servers),
				(SELECT avg(pg_column_size(bench.detoast_copy(data)))::bigint FROM tv_network_configuration),
				(SELECT avg(pg_column_size(data))::bigint FROM tv_network_configuration),
				(SELECT avg(pg_column_size(bench.detoast_copy(data)))::bigint FROM tv_allocation),
				(SELECT avg(pg_column_size(data))::bigint FROM tv_allocation),
				(SELECT 1 + 6 * count(*)::float8 / count(DISTINCT dns_server_id) FROM bench_nc_dns_mapping)"
	done
done
sql - -c 'CHECKPOINT'

levels_of() { sql - -c "SELECT levels FROM bench.class WHERE class = '$1' AND variant = 'default'"; }
servers_of() { sql - -c "SELECT servers FROM bench.class WHERE class = '$1' AND variant = 'default'"; }
ops=$(sql - -c 'SELECT string_agg(op, $$ $$ ORDER BY ord) FROM bench.op')
arr() { echo "{$(echo "$*" | tr ' ' ',')}"; }
vacuum='VACUUM bench_dns_servers, tv_dns_server, tv_network_configuration, tv_ranked_configuration, tv_allocation'
vacuum_fixture() { sql "$1" -c "$vacuum"; }
# the contenders (after the round number) in the order of that round:
# rotated by one place every round, so that each runs first, second, ...
rotated() {
	local r=$1
	shift
	local n=$# k i
	for k in $(seq 0 $((n - 1))); do
		i=$(( (k + r) % n + 1 ))
		echo "${!i}"
	done
}

# compute and function levels ------------------------------------------------
# All rounds of one operation run in one backend: round 0, the warm-up, also
# grows its heap and fills its caches.

for name in "${class_names[@]}"; do
	levels=$(levels_of "$name")
	schema=${name}_default
	if [[ $levels == *c* ]]; then
		phase "compute level, class $name"
		for op in $ops; do
			sql "$schema" -c "SELECT bench.plan_compute('$name', '$op', '$(arr loop $op_contenders)',
				$rounds, $compute_ms, 10000, $compute_cap_ms)" >/dev/null
			for r in $(seq 0 "$rounds"); do
				echo "CALL bench.compute_round('$name', 'default', '$op', $r, '$(arr loop $op_contenders)');"
			done | sql "$schema"
		done
	fi
	if [[ $levels == *f* ]]; then
		phase "function level, class $name"
		for op in $ops; do
			sql "$schema" -c "SELECT bench.verify_op('$name', 'default', '$op')" \
				-c "SELECT bench.plan_function('$name', '$op', '$(arr $op_contenders)', $function_ms)" >/dev/null
			for r in $(seq 0 "$rounds"); do
				echo "CALL bench.function_round('$name', 'default', '$op', $r, '$(arr $op_contenders)');"
			done | sql "$schema"
		done
	fi
done

# statement level ------------------------------------------------------------

for name in "${class_names[@]}"; do
	levels=$(levels_of "$name")
	[[ $levels == *s* ]] || continue
	for variant in default tuned; do
		schema=${name}_$variant
		phase "statement level, class $name, $variant storage"
		for op in $(sql - -c 'SELECT string_agg(op, $$ $$ ORDER BY ord) FROM bench.op WHERE writes'); do
			for r in $(seq 0 "$stmt_rounds"); do
				for who in $(rotated "$r" $op_contenders); do
					echo "$vacuum;"
					echo "CALL bench.statement_round('$name', '$variant', '$op', $r, '{$who}');"
				done
			done | sql "$schema"
		done
	done
done

# cascades: pgbench, the 100-cascade stress loop, the bulk case ---------------

for name in "${class_names[@]}"; do
	levels=$(levels_of "$name")
	servers=$(servers_of "$name")
	for variant in default tuned; do
		schema=${name}_$variant
		tuned=$( [ "$variant" = tuned ] && echo true || echo false)
		if [[ $levels == *p* ]]; then
			phase "pgbench cascade, class $name, $variant storage"
			# Round 0 runs each contender for $pgbench_s seconds; the measured
			# rounds then run the same number of transactions for every
			# contender (a faster contender must not pay for the dead tuples
			# of its extra transactions), as many as the median contender did
			# in its warm-up: the fast contenders, whose ratio to the floor
			# is the finest measurement here, get samples of about
			# $pgbench_s seconds, not a fraction of one.
			warmup_txs=()
			for r in $(seq 0 "$pgbench_rounds"); do
				if [ "$r" -eq 1 ]; then
					txs_run=$(printf '%s\n' "${warmup_txs[@]}" | sort -n |
						awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
				fi
				for who in $(rotated "$r" $cascade_contenders); do
					vacuum_fixture "$schema"
					if [ "$r" -eq 0 ]; then length="-T $pgbench_s"; else length="-t $txs_run"; fi
					lsn=$(sql - -c 'SELECT pg_current_wal_insert_lsn()')
					report=$(PGOPTIONS="-c search_path=$schema,public" "$bindir/pgbench" -n -M simple \
						$length -f "$IVM_ROOT/bench/cascade.pgbench" -D contender="$who" \
						-D servers="$servers" -D tuned="$tuned" "$db" 2>&1) ||
						{ echo "$report" >&2; exit 1; }
					lat=$(echo "$report" | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p')
					txs=$(echo "$report" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
					sql - -c "INSERT INTO bench.pgbench_sample VALUES ('$name', '$variant', '$who', $r, $lat, $txs,
						pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn')::bigint)"
					if [ "$r" -eq 0 ]; then
						warmup_txs+=("$txs")
						# round 0 warms up; it also checks that the contender left
						# projections equal to their definitions (v_*)
						sql "$schema" -c "INSERT INTO bench.check_result
							SELECT 'pgbench', '$name', '$variant', '$who', $txs,
								bench.projection_checksum(false) = bench.projection_checksum(true),
								'$txs cascades committed, then projections compared to a rebuild'"
					fi
				done
			done
			vacuum_fixture "$schema"
		fi
		# the seed's 100-cascade stress loop (level x) and the bulk case
		# (level b): the same 100 servers, one cascade each or one statement
		# per level
		for kind in stress bulk; do
			case $kind in
				stress) [[ $levels == *x* ]] || continue
					phase "100-cascade stress loop, class $name, $variant storage" ;;
				bulk) [[ $levels == *b* ]] || continue
					phase "bulk: one statement changes 100 DNS servers, class $name, $variant storage" ;;
			esac
			for r in $(seq 0 "$stmt_rounds"); do
				for who in $(rotated "$r" $cascade_contenders); do
					echo "$vacuum;"
					echo "CALL bench.cascade_round('$kind:$name:$variant', '$kind', $r,
						'$(arr $(seq 1 100))', '10.9.9.9', $tuned, '{$who}', $r = 0);"
				done
			done | sql "$schema"
		done
	done
done
sql - -c 'SELECT bench.check_cascades()' >/dev/null

# the trigger-maintained cascade ---------------------------------------------
# recipes/ (jsonb_ivm in row- and statement-level triggers) against the same
# triggers written with native SQL (bench/native_triggers.sql), on the
# seed's scale: bench/triggers.sql, its samples kept in bench.trigger_sample.

phase "trigger-maintained cascade: recipes vs native triggers"
sql - -c 'CREATE SCHEMA triggers'
(cd "$IVM_ROOT" && sql triggers -v rounds="$trigger_rounds" \
	-c 'SELECT generate_cqrs_data(50, 100)' \
	-f recipes/cqrs_projections.sql -f bench/triggers.sql \
	-c "INSERT INTO bench.trigger_sample SELECT mode, contender, round, ms FROM bench_trigger_times" \
	-c "INSERT INTO bench.check_result SELECT 'trigger', '50 servers per configuration', 'recipes', \
			mode || ' (' || contender || ')', 1, differing = 0,
			differing || ' projection rows differ from a rebuild after the change' FROM bench_trigger_checks") \
	>>"$log"

# memory ---------------------------------------------------------------------

phase "memory: peak backend memory of one call on 100 KB and 10 MB documents"
sql - -c 'SELECT bench.prepare_memory_cases()' >>"$log"
toast=$(sql - -c "SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'bench.mem_case'::regclass")
for size in '100 KB' '10 MB'; do
	for op in $ops; do
		for r in $(seq 1 "$memory_rounds"); do
			for who in $(rotated "$r" $op_contenders); do
				# one fresh backend per sample; \! runs as the runner (root)
				sql - -v size="$size" -v op="$op" -v who="$who" -v r="$r" <<EOF
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
SELECT count(*) FROM bench.mem_case \g /dev/null
SELECT sum(length(chunk_data)) FROM $toast \g /dev/null
SELECT bench.mem_query(:'op', :'who', 'tiny') AS warm,
	bench.mem_query(:'op', :'who', :'size') AS measured \gset
:warm \g /dev/null
\! echo 5 > /proc/\$BENCH_PID/clear_refs
SELECT bench.vm_kb('VmHWM') AS before \gset
:measured \g /dev/null
INSERT INTO bench.memory_sample
SELECT :'size', :'op', :'who', :r, bench.vm_kb('VmHWM') - :before,
	(SELECT pg_column_size(bench.detoast_copy(d)) FROM bench.mem_case WHERE size = :'size' AND op = :'op');
EOF
			done
		done
	done
done

# results --------------------------------------------------------------------

phase "writing $out"
env_row settings "$(sql - -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'fsync', 'synchronous_commit',
		'autovacuum', 'default_toast_compression', 'max_wal_size', 'checkpoint_timeout', 'huge_pages')")"
env_row postgres "$(sql - -c 'SELECT version()')"
env_row duration "$((SECONDS - bench_start)) s"

sql - -c 'SELECT bench.md_results()' >"$out/results.md"
sql - -c 'SELECT bench.md_decision()' >"$out/decision.md"
sql - -c 'SELECT bench.md_performance()' >"$out/README-performance.md"
for t in sample compute_plan pgbench_sample cascade_run trigger_sample memory_sample check_result class env; do
	sql - -c "\\copy (SELECT * FROM bench.$t) TO '$out/$t.csv' WITH (FORMAT csv, HEADER)"
done

if command -v gnuplot >/dev/null 2>&1; then
	sql - -c 'SELECT bench.chart_compute()' >"$out/chart_compute.dat"
	sql - -c 'SELECT bench.chart_cascade()' >"$out/chart_cascade.dat"
	(cd "$out" && gnuplot "$IVM_ROOT/bench/chart.gp") >>"$log" 2>&1 ||
		ivm_log "gnuplot failed: see $log"
	rm -f "$out"/chart_*.dat
fi

phase "done in $((SECONDS - bench_start)) s ($mode mode)"
sql - -c 'SELECT bench.md_verdict()'
echo "results: $out/results.md, $out/decision.md, $out/chart.png, $out/README-performance.md"
