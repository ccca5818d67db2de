#!/usr/bin/env bash
# Stress and concurrency test of the trigger recipes (recipes/*.sql).  For
# each recipe: two sessions run the interleavings that once left
# projections wrong, step by step; concurrent pgbench clients run CQRS
# cascades and every other kind of change against the seed plan's fixture
# for a while; then a single session runs thousands of random statements
# (test/lib/workload.sql).  After each, every projection must equal a rebuild
# from the base tables (no row differs, EXCEPT ALL in both directions).
# Prints one TAP line per check ("ok N - ..." or "not ok N - ...") and ends
# with "stress: N passed, N failed"; exits non-zero on any difference, any
# pgbench error other than a retried deadlock, or a server crash.
#
#   tools/stress.sh [options]
# Options:
#   --seconds N    pgbench duration per recipe (default 180)
#   --clients N    concurrent pgbench clients (default 8)
#   --triggers T   row, statement or both (default: both, one after the
#                  other)
#   --ops N        statements of the single-session run (default 10000)
#   --seed N       seed of pgbench's random numbers and of the single-session
#                  workload (default: drawn, and printed)
#   --here         use the server that PGHOST, PGPORT and PGUSER point at
#                  (jsonb_ivm installed) instead of building jsonb_ivm and
#                  starting a throwaway cluster; the databases
#                  jsonb_ivm_{stress,ops}_{row,statement} and
#                  jsonb_ivm_interleave_{row,statement}_N are created
#                  there, and dropped unless a check fails
#
# The concurrent run uses the seed plan's scale (500 servers, 100
# configurations of 50 servers, 500 allocations; one server change rewrites
# 10 configurations and 50 allocations) and the scripts in test/stress/,
# weighted so that most transactions are the cascade of one server change.
# pgbench retries deadlocks (--max-tries); a transaction that still fails is
# a failure.  The single-session run uses a smaller fixture (30 servers, 30
# configurations of 10 servers, 150 allocations): test/lib/workload.sql's bulk
# statements change up to half of all servers at once, which at the seed
# plan's scale takes about a minute per thousand statements with the
# row-level recipe.  It runs in transactions of 100 statements.
#
# --seconds 60 takes about two and a half minutes in all.
set -euo pipefail
. "$(dirname "$0")/common.sh"

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }

seconds=180
clients=8
triggers=both
ops=10000
seed=
here=false
while [ $# -gt 0 ]; do
	case "$1" in
		--seconds) seconds=$2; shift ;;
		--clients) clients=$2; shift ;;
		--triggers) triggers=$2; shift ;;
		--ops) ops=$2; shift ;;
		--seed) seed=$2; shift ;;
		--here) here=true ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
	esac
	shift
done
case $triggers in
	row | statement) recipes=$triggers ;;
	both) recipes="row statement" ;;
	*) usage >&2; exit 2 ;;
esac
seed=${seed:-$((RANDOM * 32768 + RANDOM))}
# pgbench retries a deadlocked transaction up to this many times in all
max_tries=100

if $here; then
	STRESS_TMP=$(mktemp -d /tmp/jsonb_ivm_stress.XXXXXX)
	trap 'rm -rf "$STRESS_TMP"' EXIT
	server_log=
else
	ivm_install_packages
	ivm_build
	ivm_start_cluster
	STRESS_TMP=$IVM_TMP
	server_log=$IVM_TMP/server.log
fi
# A deadlock is detected after deadlock_timeout; at the default (1 s) the
# clients waiting behind a deadlocked transaction would idle most of the
# run.  JIT off, as in the regression tests and the benchmarks: compiling
# the workload's bigger statements made the single-session run a third
# slower.
export PGOPTIONS="-c client_min_messages=warning -c deadlock_timeout=50ms -c jit=off"

# the pgbench scripts and their weights: mostly the cascade
scripts=(
	server_update@50
	servers_bulk_update@4
	configuration_update@8
	allocation_update@8
	allocation_move@6
	server_move@8
	priority_change@6
	server_join@4
	server_leave@4
	server_lifecycle@2
)

tests=0
bad=0
# tap OK DESCRIPTION: print one TAP line and count it.
tap() {
	tests=$((tests + 1))
	if [ "$1" = true ]; then
		echo "ok $tests - $2"
	else
		echo "not ok $tests - $2"
		bad=$((bad + 1))
	fi
}

# spsql DB ...: psql on DB, quiet, unaligned, stopping at the first error.
spsql() { local db=$1; shift; ivm_psql -d "$db" -q -At "$@"; }

# prepare DB SPC CONFIGURATIONS RECIPE: a fresh database DB with the
# fixture (SPC servers per configuration), its projections and RECIPE's
# triggers, the workload and the stress helpers.
prepare() {
	ivm_psql -d postgres -q -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	(cd "$IVM_ROOT" && spsql "$1" -c 'CREATE EXTENSION jsonb_ivm' \
		-f fixtures/cqrs.sql -c "SELECT generate_cqrs_data($2, $3)" \
		-f recipes/cqrs_projections.sql -f "recipes/cqrs_$4_triggers.sql" \
		-f test/lib/workload.sql -f test/stress/setup.sql) >/dev/null
}

# check DB WHAT: one TAP line saying whether every projection of DB equals
# a rebuild, with the number of rows (ids) that differ per projection; the
# first of those ids follow as a comment.  DB is dropped when it passes
# (so that autovacuum does not clean up after it during the next phase)
# and left for inspection otherwise.
check() {
	local db=$1 what=$2 counts ok=true
	counts=$(spsql "$db" -F ' ' -c "
		SELECT string_agg(format('%s %s', p, n), ', ' ORDER BY o)
		FROM (SELECT o, p, (SELECT count(DISTINCT id) FROM ivm_test.projection_differences d
				WHERE d.projection IN (p, 'v' || substr(p, 3))) AS n
			FROM unnest('{tv_dns_server,tv_network_configuration,tv_allocation}'::text[])
				WITH ORDINALITY AS t(p, o)) t")
	[[ $counts =~ ^tv_dns_server\ 0,\ tv_network_configuration\ 0,\ tv_allocation\ 0$ ]] || ok=false
	tap $ok "$what: rows differing from a rebuild: $counts"
	if ! $ok; then
		spsql "$db" -c "
			SELECT format('#   %s differs from v_%s at id %s', 'tv_' || p, p,
				array_to_string((array_agg(DISTINCT id ORDER BY id))[1:20], ', '))
			FROM (SELECT substr(projection, strpos(projection, '_') + 1) AS p, id
				FROM ivm_test.projection_differences) d
			GROUP BY p ORDER BY p"
		ivm_log "stress: $db left for inspection"
	else
		ivm_psql -d postgres -q -c "DROP DATABASE $db"
	fi
}

# field NAME FILE: the number pgbench reports after "NAME: " in FILE.
field() { sed -n "s/^$1: \([0-9.]*\).*/\1/p" "$2" | head -n 1; }

# concurrent RECIPE: pgbench clients against RECIPE's triggers.
concurrent() {
	local recipe=$1 db=jsonb_ivm_stress_$1 out=$STRESS_TMP/pgbench_$1.out
	local -a args=()
	local s status=0 txs failed retried retries deadlocks tps ok=true t0=$SECONDS
	ivm_log "stress: $recipe-level triggers, $clients clients for ${seconds}s"
	prepare "$db" 50 100 "$recipe"
	ivm_log "stress: fixture and triggers ready in $((SECONDS - t0))s"
	for s in "${scripts[@]}"; do
		args+=(-f "$IVM_ROOT/test/stress/${s%@*}.pgbench@${s#*@}")
	done
	"$(ivm_bindir)/pgbench" -n -d "$db" -c "$clients" -j 2 -T "$seconds" \
		--max-tries="$max_tries" --failures-detailed --random-seed="$seed" \
		-D servers=500 -D configurations=100 -D allocations=500 "${args[@]}" \
		>"$out" 2>&1 || status=$?
	txs=$(field 'number of transactions actually processed' "$out")
	failed=$(field 'number of failed transactions' "$out")
	retried=$(field 'number of transactions retried' "$out")
	retries=$(field 'total number of retries' "$out")
	deadlocks=$(field 'number of deadlock failures' "$out")
	tps=$(sed -n 's/^tps = \([0-9]*\)\..*/\1/p' "$out")
	if [ $status -ne 0 ] || [ -z "$txs" ] || [ "$txs" -eq 0 ] || [ "${failed:-1}" -ne 0 ]; then
		ok=false
		grep -E 'aborted|ERROR|error' "$out" | head -n 10 | sed 's/^/#   /' || true
	fi
	tap $ok "$recipe-level triggers: $clients clients, ${seconds}s: ${txs:-?} transactions ($tps tps), ${retried:-?} retried after deadlocks (${retries:-?} retries), ${failed:-?} failed (${deadlocks:-?} deadlocks after $max_tries tries)"
	# per script: transactions, retried and failed
	awk '/^SQL script/ { name = $4; sub(/.*\//, "", name); sub(/\.pgbench$/, "", name) }
		/^ - [0-9]+ transactions/ { txs = $2 }
		/^ - number of failed transactions/ { failed = $6 }
		/^ - number of transactions retried/ {
			printf "#   %-22s %7d transactions, %5d retried, %d failed\n", name, txs, $6, failed }' "$out"
	t0=$SECONDS
	check "$db" "$recipe-level triggers after $clients concurrent clients"
	ivm_log "stress: compared with a rebuild in $((SECONDS - t0))s"
}

# sequential RECIPE: OPS random statements in one session.
sequential() {
	local recipe=$1 db=jsonb_ivm_ops_$1 k n ran rejected status=0 t0=$SECONDS
	ivm_log "stress: $recipe-level triggers, $ops random statements in one session"
	prepare "$db" 10 30 "$recipe"
	for ((k = 0; k * 100 < ops; k++)); do
		n=$((ops - k * 100 < 100 ? ops - k * 100 : 100))
		# the workload's generator wants a seed in 1 .. 2^31 - 2
		echo "SELECT sum(statements), sum(rejected) FROM ivm_test.workload($(((seed * 1000 + k) % 2147483646 + 1)), $n);"
	done >"$STRESS_TMP/ops_$recipe.sql"
	spsql "$db" -F ' ' -f "$STRESS_TMP/ops_$recipe.sql" >"$STRESS_TMP/ops_$recipe.out" 2>&1 || status=$?
	# each line: the statements that ran, and those a constraint rejected
	read -r ran rejected < <(awk '/^[0-9]+ [0-9]+$/ { s += $1; r += $2 } END { printf "%d %d\n", s + r, r }' \
		"$STRESS_TMP/ops_$recipe.out")
	[ $status -ne 0 ] && grep -v '^[0-9]' "$STRESS_TMP/ops_$recipe.out" | head -n 10 | sed 's/^/#   /'
	tap "$([ $status -eq 0 ] && [ "$ran" -eq "$ops" ] && echo true || echo false)" \
		"$recipe-level triggers: $ran of $ops random statements in one session in $((SECONDS - t0))s ($rejected rejected by a constraint)"
	check "$db" "$recipe-level triggers after $ops statements"
}

# The interleavings that left projections wrong before the recipes locked
# what their triggers copy (see the comment at the top of
# recipes/cqrs_row_triggers.sql), on the small fixture (5, 20): server 1 is
# in configuration 1 and not in configuration 2, allocation 1 embeds
# configuration 1.  Each is a description, session 1's statement and
# session 2's statement.
interleavings=(
	"a server leaves a configuration while another transaction updates it"
	"DELETE FROM bench_nc_dns_mapping WHERE network_configuration_id = 1 AND dns_server_id = 1"
	"UPDATE bench_dns_servers SET ip = '9.9.9.9' WHERE id = 1"

	"a server joins a configuration while another transaction updates it"
	"UPDATE bench_dns_servers SET ip = '9.9.9.9' WHERE id = 1"
	"INSERT INTO bench_nc_dns_mapping VALUES (2, 1, 99)"

	"an allocation moves to a configuration while another transaction updates one of its servers"
	"UPDATE bench_dns_servers SET ip = '9.9.9.9' WHERE id = (SELECT min(dns_server_id) FROM bench_nc_dns_mapping WHERE network_configuration_id = 2)"
	"UPDATE bench_allocations SET network_configuration_id = 2 WHERE id = 1"

	"a server moves to another configuration while another transaction updates it"
	"UPDATE bench_nc_dns_mapping SET network_configuration_id = 2, priority = 99 WHERE network_configuration_id = 1 AND dns_server_id = 1"
	"UPDATE bench_dns_servers SET ip = '9.9.9.9' WHERE id = 1"
)

# interleave RECIPE: each interleaving on a fresh database: session 1 runs
# its statement in an open transaction, session 2 then runs its own, and
# session 1 commits once session 2 waits for a lock or has ended.
interleave() {
	local recipe=$1 db i desc s1 s2 pid ok status t0
	ivm_log "stress: $recipe-level triggers, $((${#interleavings[@]} / 3)) interleavings of two sessions"
	for ((i = 0; i < ${#interleavings[@]}; i += 3)); do
		desc=${interleavings[i]}
		s1=${interleavings[i + 1]}
		s2=${interleavings[i + 2]}
		t0=$SECONDS
		db=jsonb_ivm_interleave_${recipe}_$((i / 3 + 1))
		prepare "$db" 5 20 "$recipe"
		PGAPPNAME=stress_s1 spsql "$db" -c 'BEGIN' -c "$s1" \
			-c "SELECT stress.wait_for('stress_s2')" -c 'COMMIT' >"$STRESS_TMP/s1.out" 2>&1 &
		pid=$!
		# session 2 starts once session 1 waits
		for _ in $(seq 1 300); do
			[ "$(spsql "$db" -c "SELECT count(*) FROM pg_stat_activity
				WHERE application_name = 'stress_s1' AND query LIKE '%stress.wait_for%'")" = 1 ] && break
			sleep 0.1
		done
		status=0
		PGAPPNAME=stress_s2 spsql "$db" -c "$s2" \
			-c "INSERT INTO stress.ended VALUES ('stress_s2')" >"$STRESS_TMP/s2.out" 2>&1 || status=$?
		wait "$pid" || status=$?
		ok=true
		if [ $status -ne 0 ] || ! grep -qxE 'blocked|ended' "$STRESS_TMP/s1.out"; then
			ok=false
			cat "$STRESS_TMP/s1.out" "$STRESS_TMP/s2.out" | sed 's/^/#   /'
		fi
		tap $ok "$recipe-level triggers, interleaving $((i / 3 + 1)), $desc: session 2 $(head -n 1 "$STRESS_TMP/s1.out") ($((SECONDS - t0))s)"
		check "$db" "$recipe-level triggers after interleaving $((i / 3 + 1))"
	done
}

echo "# stress: seed $seed"
start=$SECONDS
for recipe in $recipes; do
	interleave "$recipe"
	concurrent "$recipe"
	sequential "$recipe"
done
if [ -n "$server_log" ]; then
	crashes=$(grep -cE 'terminated by signal|was terminated by exception' "$server_log" || true)
	tap "$([ "$crashes" -eq 0 ] && echo true || echo false)" "no server process crashed ($crashes in the server log)"
fi
echo "# stress: $((SECONDS - start))s"
echo "stress: $((tests - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
