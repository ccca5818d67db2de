# test/t/060_citus.pl: jsonb_ivm on a Citus cluster of three nodes (a
# coordinator and two workers, on Unix sockets).  CREATE EXTENSION on the
# coordinator reaches the workers; the CQRS fixture is laid out across the
# cluster (test/t/060_citus/sql/layout.sql); EXPLAIN shows that the
# cascade's UPDATEs, jsonb_ivm calls included, run on the workers and that
# no document passes through the coordinator (explain.sql); limits.sql
# shows what Citus refuses.  The native cascade and the jsonb_ivm cascade
# (cascade_native.sql, cascade_ivm.sql, the statements that explain.sql
# shows), then the benchmark's cascades that Citus runs, each leave
# projections equal to a rebuild.  Generated projections (projection.sql)
# work on plain tables of the coordinator, under a random workload and 8
# concurrent clients, and jsonb_ivm_create_projection refuses Citus tables
# as sources.
#
# Skipped when Citus is not installed in the server under test
# (tools/citus.sh installs it).  The files of test/t/060_citus/sql run on
# the coordinator as pg_regress runs them, and their output, with shard ids
# and node addresses normalized, must equal test/t/060_citus/expected; the
# output is left in tmp_check/060_citus/results.
use strict;
use warnings;

use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JsonbIvmTest;

my $dir = 'test/t/060_citus';

my $citus = PostgreSQL::Test::Cluster->new('probe')->config_data('--pkglibdir') . '/citus.so';
plan skip_all => "Citus is not installed ($citus is missing; tools/citus.sh installs it)"
  unless -f $citus;

# Citus commits a write to several nodes (a reference table) with two-phase
# commit, hence max_prepared_transactions.  Autovacuum is off so that the
# statistics of the shards, and with them the workers' plans that the
# expected EXPLAIN output shows, are those of the explicit ANALYZE.
my ($coordinator, @workers) = citus_cluster(q(
max_connections = 50
max_prepared_transactions = 50
autovacuum = off
jit = off
log_statement = none
));

# the extension, created on the coordinator, on every node
$coordinator->safe_psql('postgres', 'CREATE EXTENSION jsonb_ivm');
my $version = $coordinator->safe_psql('postgres',
	"SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm'");
for my $worker (@workers)
{
	is( $worker->safe_psql('postgres',
			"SELECT extversion FROM pg_extension WHERE extname = 'jsonb_ivm'"),
		$version,
		'CREATE EXTENSION jsonb_ivm on the coordinator reaches ' . $worker->name);
}

# run_sql(NAME, PSQL_VARIABLES...): run sql/NAME.sql on the coordinator
# as pg_regress does (psql's echo, the file on standard input) and return
# its output.
sub run_sql
{
	my ($name, %vars) = @_;
	my @cmd = (
		$coordinator->installed_command('psql'),
		'-X', '-a', '-q',
		'-d', $coordinator->connstr('postgres'),
		'-v', 'ON_ERROR_STOP=1',
		(map { ('-v', "$_=$vars{$_}") } sort keys %vars));
	my $out = '';
	my $ok = IPC::Run::run(\@cmd, '<', "$dir/sql/$name.sql", '>&', \$out);
	ok($ok, "$name.sql runs without error") or diag $out;
	return $out;
}

# regress(NAME, PSQL_VARIABLES...): run sql/NAME.sql and compare its output, with shard ids and
# node addresses normalized, with expected/NAME.out; returns the output.
sub regress
{
	my ($name, %vars) = @_;
	my $out = run_sql($name, %vars);

	# shard ids (the table's name, an underscore, 6 digits or more) and the
	# nodes' addresses vary from one run to the next
	$out =~ s/\b([a-z]\w*?)_\d{6,}\b/${1}_SHARD/g;
	$out =~ s/host=\S+ port=\d+/host=HOST port=PORT/g;
	$out =~ s/command on \S+:\d+/command on HOST:PORT/g;

	my $results = "$PostgreSQL::Test::Utils::tmp_check/060_citus/results";
	make_path($results);
	open my $fh, '>', "$results/$name.out" or die "$results/$name.out: $!";
	print $fh $out;
	close $fh;
	my $expected = "$dir/expected/$name.out";
	if (!is($out eq (-f $expected ? slurp_file($expected) : ''), 1,
			"$name.sql: output as expected"))
	{
		my $diff = '';
		IPC::Run::run([ 'diff', '-u', $expected, "$results/$name.out" ],
			'>', \$diff);
		diag $diff;
	}
	return $out;
}

# check(WHAT): no row of the projections differs from a rebuild
sub check
{
	my ($what) = @_;
	is( $coordinator->safe_psql('postgres',
			'SELECT ivm_test.difference_summary()'),
		'tv_dns_server 0, tv_network_configuration 0, tv_allocation 0',
		"$what: no row differs from a rebuild");
	return;
}

regress('layout');
check('after the layout');

my $explain = regress('explain');
unlike($explain, qr/Distributed Subplan|intermediate_result|repartition/i,
	'no step of the cascade passes rows through the coordinator');
like($explain, qr/Query: UPDATE .*jsonb_array_update_where\(/,
	'the jsonb_ivm calls are in the workers\' queries');

# statements Citus refuses, and another layout
regress('limits', ON_ERROR_STOP => 0);

# the native cascade, then the jsonb_ivm cascade, for two servers
for my $cascade ('native', 'ivm')
{
	for my $server (7, 13)
	{
		run_sql("cascade_$cascade", explain => '', server => $server,
			new_ip => "10.$cascade.$server.1");
		check("$cascade cascade of server $server");
	}
}

# the benchmark's cascades (bench/cascade_lib.sql) that Citus runs
for (
	[ "cascade('best', 21, '10.21.0.1', true)", 'native cascade (best SQL)' ],
	[ "cascade_bulk('seed', ARRAY[3, 14, 25], '10.3.0.1', true)",
		'native bulk cascade' ],
	[ "cascade_bulk('ivm', ARRAY[4, 15, 26], '10.4.0.1', true)",
		'jsonb_ivm bulk cascade' ],
	[ "cascade('ivm_merge', 21, '10.21.0.2', true)",
		'jsonb_ivm cascade (merge into allocations)' ],
	[ "cascade('ivm', 21, '10.21.0.3', true)", 'jsonb_ivm cascade' ])
{
	my ($call, $what) = @$_;
	$coordinator->safe_psql('postgres', "SELECT bench.$call");
	check("bench.$call, the $what");
}

# Generated projections (projection.sql): the seed's projections of plain
# tables on the coordinator, a random workload of every change kind checked
# after every transaction, and the layouts jsonb_ivm_create_projection
# refuses; then 8 concurrent pgbench clients on the same workload (retrying
# deadlocks and serialization failures), after which every projection
# equals its query both ways (EXCEPT ALL) and jsonb_ivm_check_projection is
# empty.  JSONB_IVM_CITUS_PROJECTION_SECONDS (20) is pgbench's time, cut
# into two rounds.
regress('projection', ON_ERROR_STOP => 0, transactions => 800);
my $seconds = $ENV{JSONB_IVM_CITUS_PROJECTION_SECONDS} || 20;
# clients(LABEL, STEP, CHECK, PGOPTIONS): two rounds of 8 pgbench clients
# running the SQL statement STEP (with :seed, random) for half of $seconds
# each, retrying deadlocks and serialization failures; after each round
# CHECK->(LABEL) runs the checks.
my $clients = 8;

sub clients
{
	my ($label, $step, $check, $pgoptions) = @_;
	my $script = "$PostgreSQL::Test::Utils::tmp_check/060_citus/$label.sql";
	$script =~ s/ /_/g;
	open my $fh, '>', $script or die "$script: $!";
	print $fh "\\set seed random(1, 2147483646)\n$step\n";
	close $fh;
	for my $round (1, 2)
	{
		my ($stdout, $stderr);
		local $ENV{PGOPTIONS} = $pgoptions // '';
		my $ok = IPC::Run::run(
			[
				$coordinator->installed_command('pgbench'), '--no-vacuum',
				"--client=$clients", '--jobs=2', '--time=' . int(($seconds + 1) / 2),
				'--max-tries=1000', "--random-seed=$round", '--file', $script,
				'--host', $coordinator->host, '--port', $coordinator->port, 'postgres'
			],
			'>', \$stdout, '2>', \$stderr);
		ok($ok, "$label, round $round: pgbench ran $clients clients without an error")
		  or diag("pgbench stdout:\n$stdout\npgbench stderr:\n$stderr");
		my $processed = ($stdout =~ /number of transactions actually processed: (\d+)/)[0] // 0;
		my $failed = ($stdout =~ /number of failed transactions: (\d+)/)[0] // 0;
		cmp_ok($processed, '>', 0, "$label, round $round: transactions processed");
		is($failed, 0, "$label, round $round: no transaction failed after its retries");
		note("$label, round $round: $_")
		  for grep { /^number of|^tps/ } split /\n/, $stdout;
		$check->("$label, round $round");
	}
	return;
}

clients(
	'projections',
	"SELECT * FROM ivm_test.step('cqrs', :seed);",
	sub {
		my ($what) = @_;
		for my $projection (qw(tv_dns_server tv_network_configuration tv_allocation))
		{
			(my $reference = $projection) =~ s/^tv_/v_/;
			is( $coordinator->safe_psql('postgres',
					"SET search_path = proj, public; SELECT side || ': ' || row_text FROM ivm_test.projection_differences('$projection', '$reference')"),
				'',
				"$what: $projection equals its query both ways (EXCEPT ALL)");
			is( $coordinator->safe_psql('postgres',
					"SELECT to_jsonb(c)::text FROM jsonb_ivm_check_projection('proj.$projection') AS c"),
				'',
				"$what: jsonb_ivm_check_projection('proj.$projection') is empty");
		}
	},
	'-c search_path=proj,public');

# Distributed projections (distributed.sql): a projection of distributed
# and reference tables, maintained on the shards, after every change kind
# and a random workload checked after every statement; then 8 concurrent
# pgbench clients on the same steps, half of them under REPEATABLE READ,
# after which it equals its query both ways (EXCEPT ALL) and
# jsonb_ivm_check_projection is empty.
regress('distributed', ON_ERROR_STOP => 0, transactions => 400);
clients(
	'distributed projection',
	# every other transaction under REPEATABLE READ: correct, or a
	# serialization failure that pgbench retries
	"\\set rr random(0, 1)\n\\if :rr\nBEGIN ISOLATION LEVEL REPEATABLE READ;\n"
	  . "SELECT dist.step(:seed);\nCOMMIT;\n\\else\nSELECT dist.step(:seed);\n\\endif",
	sub {
		my ($what) = @_;
		is( $coordinator->safe_psql('postgres', q{
				SELECT count(*) FROM (
					(SELECT id, data::text FROM dist.tv_order EXCEPT ALL SELECT id, data::text FROM dist.v_order)
					UNION ALL
					(SELECT id, data::text FROM dist.v_order EXCEPT ALL SELECT id, data::text FROM dist.tv_order)) x}),
			'0',
			"$what: tv_order equals its query both ways (EXCEPT ALL)");
		is($coordinator->safe_psql('postgres', 'SELECT dist.check()'),
			'equal', "$what: jsonb_ivm_check_projection of the three projections is empty");
	});
regress('distributed_drop');

$_->stop for ($coordinator, @workers);
unlike(
	join('', map { slurp_file($_->logfile) } ($coordinator, @workers)),
	qr/terminated by signal|was terminated by exception/,
	'no server process crashed');

done_testing();
