# test/t/060_citus.pl: jsonb_ivm on a Citus cluster of three nodes (a
# coordinator and two workers, on Unix sockets).  CREATE EXTENSION on the
# coordinator reaches the workers; the CQRS fixture is laid out across the
# cluster (test/t/060_citus/sql/layout.sql); EXPLAIN shows that the
# cascade's UPDATEs, jsonb_ivm calls included, run on the workers and that
# no document passes through the coordinator (explain.sql); limits.sql
# shows what Citus refuses.  The native cascade and the jsonb_ivm cascade
# (cascade_native.sql, cascade_ivm.sql, the statements that explain.sql
# shows), then the benchmark's cascades that Citus runs, each leave
# projections equal to a rebuild.
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

my $dir = 'test/t/060_citus';

my $coordinator = PostgreSQL::Test::Cluster->new('coordinator');
my $citus = $coordinator->config_data('--pkglibdir') . '/citus.so';
plan skip_all => "Citus is not installed ($citus is missing; tools/citus.sh installs it)"
  unless -f $citus;
my @workers = map { PostgreSQL::Test::Cluster->new("worker$_") } 1 .. 2;

# Citus commits a write to several nodes (a reference table) with two-phase
# commit, hence max_prepared_transactions.  Autovacuum is off so that the
# statistics of the shards, and with them the workers' plans that the
# expected EXPLAIN output shows, are those of the explicit ANALYZE.
for my $node ($coordinator, @workers)
{
	$node->init(extra => [ '-E', 'UTF8', '--locale=C.UTF-8' ]);
	$node->append_conf(
		'postgresql.conf', q(
shared_preload_libraries = 'citus'
max_connections = 50
max_prepared_transactions = 50
autovacuum = off
jit = off
log_statement = none
));
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
}
$coordinator->safe_psql('postgres',
	sprintf("SELECT citus_set_coordinator_host('%s', %d)",
		$coordinator->host, $coordinator->port));
for my $worker (@workers)
{
	$coordinator->safe_psql('postgres',
		sprintf("SELECT citus_add_node('%s', %d)", $worker->host, $worker->port));
}
is( $coordinator->safe_psql('postgres',
		'SELECT count(*) FROM citus_get_active_worker_nodes()'),
	'2',
	'the coordinator sees two active workers');

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
	[ "cascade('ivm_merge', 21, '10.21.0.2', true)",
		'jsonb_ivm cascade (merge into allocations)' ],
	[ "cascade('ivm', 21, '10.21.0.3', true)", 'jsonb_ivm cascade' ])
{
	my ($call, $what) = @$_;
	$coordinator->safe_psql('postgres', "SELECT bench.$call");
	check("bench.$call, the $what");
}

$_->stop for ($coordinator, @workers);
unlike(
	join('', map { slurp_file($_->logfile) } ($coordinator, @workers)),
	qr/terminated by signal|was terminated by exception/,
	'no server process crashed');

done_testing();
