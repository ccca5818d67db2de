# test/t/030_stress.pl: the trigger recipes (recipes/cqrs_*_triggers.sql)
# under load, on a cluster of their own.  For each recipe, concurrent
# pgbench clients run the scripts of test/stress/ for a while, then one
# session runs thousands of random statements (test/lib/workload.sql);
# after each, every projection must equal a rebuild from the base tables
# (no row differs, EXCEPT ALL in both directions).
#
# The concurrent run uses the benchmark's scale (500 servers, 100
# configurations of 50 servers, 500 allocations: one server change rewrites
# 10 configurations and 50 allocations), with the scripts weighted so that
# most transactions are the cascade of one server change.  pgbench retries
# deadlocks (--max-tries); a transaction that still fails is a failure.
# The single-session run uses a smaller fixture (30 servers, 30
# configurations of 10 servers, 150 allocations), since the workload's bulk
# statements change up to half of all servers at once, in transactions of
# 100 statements.
#
# Environment (defaults in parentheses):
#   JSONB_IVM_STRESS_SECONDS  pgbench duration per recipe (60)
#   JSONB_IVM_STRESS_CLIENTS  concurrent pgbench clients (8)
#   JSONB_IVM_STRESS_OPS      statements of the single-session run (10000)
#   JSONB_IVM_STRESS_RECIPES  recipes to run ("row statement")
#   JSONB_IVM_STRESS_SEED     seed of pgbench and of the workload (drawn)
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = $ENV{JSONB_IVM_STRESS_SECONDS} // 60;
my $clients = $ENV{JSONB_IVM_STRESS_CLIENTS} // 8;
my $ops = $ENV{JSONB_IVM_STRESS_OPS} // 10000;
my @recipes = split ' ', ($ENV{JSONB_IVM_STRESS_RECIPES} // 'row statement');
my $seed = $ENV{JSONB_IVM_STRESS_SEED} // int(rand(2**30));

# pgbench retries a deadlocked transaction up to this many times in all
my $max_tries = 100;

# the pgbench scripts of test/stress/ and their weights: mostly the cascade
my @scripts = (
	[ server_update => 50 ],
	[ servers_bulk_update => 4 ],
	[ configuration_update => 8 ],
	[ allocation_update => 8 ],
	[ allocation_move => 6 ],
	[ server_move => 8 ],
	[ priority_change => 6 ],
	[ server_join => 4 ],
	[ server_leave => 4 ],
	[ server_lifecycle => 2 ]);

my $clean = 'tv_dns_server 0, tv_network_configuration 0, tv_allocation 0';

my $node = PostgreSQL::Test::Cluster->new('stress');
plan skip_all => 'pgbench retries deadlocks from PostgreSQL 15 on'
  if $node->pg_version < 15;

$node->init;
# A deadlock is detected after deadlock_timeout; at the default (1 s) the
# clients waiting behind a deadlocked transaction would idle most of the
# run.  JIT off, as in the regression tests.
$node->append_conf(
	'postgresql.conf', qq(
max_connections = 20
deadlock_timeout = 50ms
jit = off
log_statement = none
client_min_messages = warning
));
$node->start;
diag "seed $seed";

# prepare(DB, SERVERS_PER_CONFIGURATION, CONFIGURATIONS, RECIPE): a fresh
# database with the fixture, its projections, RECIPE's triggers, the
# workload and the helpers of the pgbench scripts.
sub prepare
{
	my ($db, $per_configuration, $configurations, $recipe) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql(
		$db, qq(
CREATE EXTENSION jsonb_ivm;
\\i fixtures/cqrs.sql
SELECT generate_cqrs_data($per_configuration, $configurations);
\\i recipes/cqrs_projections.sql
\\i recipes/cqrs_${recipe}_triggers.sql
\\i test/lib/workload.sql
\\i test/stress/setup.sql
));
	return;
}

# check(DB, WHAT): one verdict, that no row of DB's projections differs
# from a rebuild.  DB is dropped when it passes (so that autovacuum does not
# clean up after it during the next run) and left for inspection otherwise.
sub check
{
	my ($db, $what) = @_;
	my $summary =
	  $node->safe_psql($db, 'SELECT ivm_test.difference_summary()');
	if (is($summary, $clean, "$what: no row differs from a rebuild"))
	{
		$node->safe_psql('postgres', "DROP DATABASE $db");
	}
	return;
}

# concurrent(RECIPE): pgbench clients against RECIPE's triggers.
sub concurrent
{
	my ($recipe) = @_;
	my $db = "stress_$recipe";
	my $t0 = time;
	prepare($db, 50, 100, $recipe);
	diag "$recipe-level triggers: fixture and triggers ready in "
	  . (time - $t0) . ' s';

	my @cmd = (
		'pgbench', '-n',
		'-h', $node->host,
		'-p', $node->port,
		'-c', $clients,
		'-j', 2,
		'-T', $seconds,
		"--max-tries=$max_tries", '--failures-detailed',
		"--random-seed=$seed",
		'-D', 'servers=500',
		'-D', 'configurations=100',
		'-D', 'allocations=500',
		(map { ('-f', "test/stress/$_->[0].pgbench\@$_->[1]") } @scripts),
		$db);
	my ($out, $err) = ('', '');
	my $success = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);

	my %n;
	for (
		[ transactions => qr/^number of transactions actually processed: (\d+)/m ],
		[ failed => qr/^number of failed transactions: (\d+)/m ],
		[ deadlocks => qr/^number of deadlock failures: (\d+)/m ],
		[ retried => qr/^number of transactions retried: (\d+)/m ],
		[ retries => qr/^total number of retries: (\d+)/m ],
		[ tps => qr/^tps = (\d+)/m ])
	{
		$n{ $_->[0] } = $out =~ $_->[1] ? $1 : '?';
	}
	my $ok =
		 $success
	  && $n{transactions} ne '?'
	  && $n{transactions} > 0
	  && $n{failed} eq '0';
	ok($ok,
		"$recipe-level triggers: $clients clients for $seconds s: "
		  . "$n{transactions} transactions ($n{tps} tps), "
		  . "$n{retried} retried after deadlocks ($n{retries} retries), "
		  . "$n{failed} failed ($n{deadlocks} deadlocks after $max_tries tries)"
	);
	if (!$ok)
	{
		my @errors = grep { /error|abort/i } split /\n/, $err;
		splice(@errors, 10);
		diag "  $_" for @errors;
	}

	# per script: transactions, retried and failed
	for my $block (split /^SQL script \d+: /m, $out)
	{
		next unless $block =~ m{^\S*/(\w+)\.pgbench};
		my $name = $1;
		my ($txs) = $block =~ /^ - (\d+) transactions/m;
		my ($failed) = $block =~ /^ - number of failed transactions: (\d+)/m;
		my ($retried) =
		  $block =~ /^ - number of transactions retried: (\d+)/m;
		diag sprintf('  %-22s %7d transactions, %5d retried, %d failed',
			$name, $txs // 0, $retried // 0, $failed // 0);
	}

	$t0 = time;
	check($db, "$recipe-level triggers after $clients concurrent clients");
	diag "$recipe-level triggers: compared with a rebuild in "
	  . (time - $t0) . ' s';
	return;
}

# sequential(RECIPE): random statements in one session, in transactions of
# 100 statements.
sub sequential
{
	my ($recipe) = @_;
	my $db = "ops_$recipe";
	my $t0 = time;
	prepare($db, 10, 30, $recipe);
	my $script = '';
	for (my $k = 0; $k * 100 < $ops; $k++)
	{
		my $n = $ops - $k * 100 < 100 ? $ops - $k * 100 : 100;

		# the workload's generator wants a seed in 1 .. 2^31 - 2
		my $s = ($seed * 1000 + $k) % 2147483646 + 1;
		$script .=
		  "SELECT sum(statements), sum(rejected) FROM ivm_test.workload($s, $n);\n";
	}
	my ($ran, $rejected) = (0, 0);
	for (split /\n/, $node->safe_psql($db, $script))
	{
		my ($statements, $rejections) = split /\|/;
		$ran += $statements + $rejections;
		$rejected += $rejections;
	}
	is($ran, $ops,
		"$recipe-level triggers: $ran random statements in one session in "
		  . (time - $t0)
		  . " s ($rejected rejected by a constraint)");
	check($db, "$recipe-level triggers after $ops statements");
	return;
}

for my $recipe (@recipes)
{
	concurrent($recipe);
	sequential($recipe);
}

$node->stop;
unlike(
	slurp_file($node->logfile),
	qr/terminated by signal|was terminated by exception/,
	'no server process crashed');

done_testing();
