#!/usr/bin/env bash
# Stress and concurrency test of the trigger recipes (recipes/*.sql): for
# each recipe, concurrent pgbench clients run CQRS cascades and every other
# kind of change against the seed plan's fixture for a while, then a single
# session runs thousands of random statements (test/workload.sql); after
# each, every projection must equal a rebuild from the base tables (no row
# differs, EXCEPT ALL in both directions).  Prints one TAP line per check
# ("ok N - ..." or "not ok N - ...") and ends with "stress: N passed, N
# failed"; exits non-zero on any difference, any pgbench error other than a
# retried deadlock, or a server crash.
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
#                  starting a throwaway cluster
#
# The concurrent run uses the seed plan's scale (500 servers, 100
# configurations of 50 servers, 500 allocations; one server change rewrites
# 10 configurations and 50 allocations) and the scripts in test/stress/,
# weighted so that most transactions are the cascade of one server change.
# pgbench retries deadlocks (--max-tries); a transaction that still fails is
# a failure.  The single-session run uses a smaller fixture (30 servers, 30
# configurations of 10 servers, 150 allocations): test/workload.sql's bulk
# statements change up to half of all servers at once, which at the seed
# plan's scale takes about a minute per thousand statements with the
# row-level recipe.  It runs in transactions of 100 statements.
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
max_tries=20

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
# a deadlock is detected after deadlock_timeout; at the default (1 s) the
# clients waiting behind a deadlocked transaction would idle most of the run
export PGOPTIONS="-c client_min_messages=warning -c deadlock_timeout=50ms"

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
		-f test/workload.sql -f test/stress/setup.sql) >/dev/null
}

# check DB WHAT: one TAP line saying whether every projection of DB equals
# a rebuild, with the rows that differ per projection; the first of them
# follow as comments.
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
			SELECT format('#   %s %s: %s', projection, id, left(data, 300))
			FROM ivm_test.projection_differences ORDER BY id, projection LIMIT 6"
	fi
}

# field NAME FILE: the number pgbench reports after "NAME: " in FILE.
field() { sed -n "s/^$1: \([0-9.]*\).*/\1/p" "$2" | head -n 1; }

# concurrent RECIPE: pgbench clients against RECIPE's triggers.
concurrent() {
	local recipe=$1 db=jsonb_ivm_stress_$1 out=$STRESS_TMP/pgbench_$1.out
	local -a args=()
	local s status=0 txs failed retried retries deadlocks tps ok=true
	ivm_log "stress: $recipe-level triggers, $clients clients for ${seconds}s"
	prepare "$db" 50 100 "$recipe"
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
	# per script: transactions and retries
	awk '/^SQL script/ { name = $4; sub(/.*\//, "", name); sub(/\.pgbench$/, "", name) }
		/^ - [0-9]+ transactions/ { txs = $2 }
		/^ - number of transactions retried/ { printf "#   %-22s %7d transactions, %5d retried\n", name, txs, $6 }' "$out"
	check "$db" "$recipe-level triggers after $clients concurrent clients"
}

# sequential RECIPE: OPS random statements in one session.
sequential() {
	local recipe=$1 db=jsonb_ivm_ops_$1 k n ran rejected status=0
	ivm_log "stress: $recipe-level triggers, $ops random statements in one session"
	prepare "$db" 10 30 "$recipe"
	for ((k = 0; k * 100 < ops; k++)); do
		n=$((ops - k * 100 < 100 ? ops - k * 100 : 100))
		echo "SELECT sum(statements), sum(rejected) FROM ivm_test.workload($seed * 1000 + $k, $n);"
	done >"$STRESS_TMP/ops_$recipe.sql"
	spsql "$db" -F ' ' -f "$STRESS_TMP/ops_$recipe.sql" >"$STRESS_TMP/ops_$recipe.out" 2>&1 || status=$?
	# each line: the statements that ran, and those a constraint rejected
	read -r ran rejected < <(awk '/^[0-9]+ [0-9]+$/ { s += $1; r += $2 } END { print s + r, r }' \
		"$STRESS_TMP/ops_$recipe.out")
	[ $status -ne 0 ] && grep -v '^[0-9]' "$STRESS_TMP/ops_$recipe.out" | head -n 10 | sed 's/^/#   /'
	tap "$([ $status -eq 0 ] && [ "$ran" -eq "$ops" ] && echo true || echo false)" \
		"$recipe-level triggers: $ran of $ops random statements in one session ($rejected rejected by a constraint)"
	check "$db" "$recipe-level triggers after $ops statements"
}

echo "# stress: seed $seed"
start=$SECONDS
for recipe in $recipes; do
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
