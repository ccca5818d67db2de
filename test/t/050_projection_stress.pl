# Generated projections under concurrency: the three projection fixtures
# (the seed's schema, the blog, the shop) each under 8 concurrent pgbench
# clients running the random statements of test/lib/projection_workload.sql,
# alone or three to a transaction, under READ COMMITTED, and in every
# other round some transactions under REPEATABLE READ and SERIALIZABLE.
# pgbench retries deadlocks and serialization failures (--max-tries) and
# counts them; any other error aborts a client and fails the test.  After
# each round every projection equals its query, byte for byte, in both
# directions (EXCEPT ALL), and jsonb_ivm_check_projection is empty.  Then
# the same workload runs without the projections, to tell the deadlocks
# of its own statements from those the maintenance adds.
#
# Environment (defaults in parentheses):
#   JSONB_IVM_PROJECTION_STRESS_SECONDS  pgbench time per schema (20)
#   JSONB_IVM_PROJECTION_STRESS_ROUNDS   runs it is cut into, each followed
#                                        by the comparisons (4)
#   JSONB_IVM_PROJECTION_STRESS_CLIENTS  concurrent pgbench clients (8)
#   JSONB_IVM_PROJECTION_STRESS_LEVELS   "read committed" for READ COMMITTED
#                                        rounds only (default "all": every
#                                        other round mixes in REPEATABLE READ
#                                        and SERIALIZABLE transactions)
#
# The isolation specs test/specs/projection_repeatable_read*.spec show the
# interleavings across levels one by one.
use strict;
use warnings;

use FindBin;
use IPC::Run;
use Test::More;

# PostgreSQL 13 and 14 ship PostgresNode.pm instead
BEGIN
{
	plan skip_all =>
	  'PostgreSQL::Test::Cluster is missing (it ships with PostgreSQL 15 and later)'
	  unless eval { require PostgreSQL::Test::Cluster; 1 };
}
use PostgreSQL::Test::Utils;

# the repository's root: fixtures/ and test/lib/ are loaded from there
my $root = "$FindBin::Bin/../..";

sub env_count
{
	my ($name, $default) = @_;
	my $v = $ENV{$name};
	return $default if !defined $v || $v eq '';
	die "$name must be a positive integer, not \"$v\"\n" unless $v =~ /^[1-9]\d*$/;
	return $v + 0;
}
my $seconds = env_count('JSONB_IVM_PROJECTION_STRESS_SECONDS', 20);
my $rounds = env_count('JSONB_IVM_PROJECTION_STRESS_ROUNDS', 4);
my $stress_levels = $ENV{JSONB_IVM_PROJECTION_STRESS_LEVELS} || 'all';
die "JSONB_IVM_PROJECTION_STRESS_LEVELS must be \"all\" or \"read committed\", not \"$stress_levels\"\n"
  unless $stress_levels eq 'all' || $stress_levels eq 'read committed';
my $mixed = $stress_levels eq 'all';
my $clients = env_count('JSONB_IVM_PROJECTION_STRESS_CLIENTS', 8);

my $node = PostgreSQL::Test::Cluster->new('projection_stress');
$node->init(extra => [ '-E', 'UTF8', '--locale=C.UTF-8' ]);
$node->append_conf('postgresql.conf', qq(
max_connections = @{[ $clients + 10 ]}
fsync = off
deadlock_timeout = 100ms
log_min_messages = warning
));
$node->start;

# the fixtures and the workload, loaded as psql scripts
sub load
{
	my ($file) = @_;
	$node->safe_psql('postgres', slurp_file("$root/$file"));
}
$node->safe_psql('postgres', 'CREATE EXTENSION jsonb_ivm');
load('test/lib/helpers.sql');
load('test/lib/projection_workload.sql');

my %schema = (
	cqrs => {
		setup => sub {
			load('fixtures/cqrs.sql');
			$node->safe_psql('postgres', 'SELECT generate_cqrs_data(5, 20)');
			load('fixtures/cqrs_projections.sql');
		},
		projections => {
			tv_dns_server => 'v_dns_server',
			tv_network_configuration => 'v_network_configuration',
			tv_allocation => 'v_allocation',
		},
	},
	blog => {
		setup => sub {
			load('fixtures/blog.sql');
			$node->safe_psql('postgres', 'SELECT generate_blog_data(200)');
		},
		projections => { tv_article => 'v_article', tv_tag => 'v_tag' },
		columns => { tv_article => 'id, author_id' },
	},
	shop => {
		setup => sub {
			load('fixtures/shop.sql');
			$node->safe_psql('postgres', 'SELECT generate_shop_data(200)');
			for my $projection (qw(tv_order_line tv_order))
			{
				my ($ret, $out, $err) = $node->psql('postgres',
					"SELECT shop_create_projection('$projection')");
				is($ret, 0, "shop: $projection created") or diag($err);
			}
		},
		projections => { tv_order => 'v_order', tv_order_line => 'v_order_line' },
		columns => { tv_order_line => 'id, order_id' },
	},
);

my $dir = PostgreSQL::Test::Utils::tempdir;

# deadlocks the server detected so far (pgbench retries them)
sub deadlocks
{
	return $node->safe_psql('postgres',
		"SELECT deadlocks FROM pg_stat_database WHERE datname = 'postgres'");
}

for my $name (qw(cqrs blog shop))
{
	my $s = $schema{$name};
	$s->{setup}->();

	# one statement; three in one transaction; three under REPEATABLE READ
	# and under SERIALIZABLE (retried on serialization failures)
	my $step = "SELECT * FROM ivm_test.step('$name', :seed);\n";
	my %scripts = (
		single => "\\set seed random(1, 2147483646)\n$step",
		transaction => "\\set seed random(1, 2147483646)\nBEGIN;\n"
		  . "$step\\set seed random(1, 2147483646)\n$step"
		  . "\\set seed random(1, 2147483646)\n${step}COMMIT;\n",
		repeatable_read => "\\set seed random(1, 2147483646)\n"
		  . "BEGIN ISOLATION LEVEL REPEATABLE READ;\n$step"
		  . "\\set seed random(1, 2147483646)\n${step}COMMIT;\n",
		serializable => "\\set seed random(1, 2147483646)\n"
		  . "BEGIN ISOLATION LEVEL SERIALIZABLE;\n$step"
		  . "\\set seed random(1, 2147483646)\n${step}COMMIT;\n",
	);
	my %weight = (single => 5, transaction => 3, repeatable_read => 1, serializable => 1);
	my (@read_committed, @all_levels);
	for my $script (sort keys %scripts)
	{
		my $file = "$dir/${name}_$script.sql";
		append_to_file($file, $scripts{$script});
		push @all_levels, '--file', "$file\@$weight{$script}";
		push @read_committed, '--file', "$file\@$weight{$script}"
		  if $script eq 'single' || $script eq 'transaction';
	}

	# rounds of pgbench, each followed by the comparisons: a projection
	# left wrong by one transaction may be put right by a later one, so
	# the more often the comparison runs, the more it can catch
	my $round_seconds = int($seconds / $rounds) || 1;
	my ($processed, $failed, $retried, $retries) = (0, 0, 0, 0);
	my $deadlocks_before = deadlocks();
	for my $round (1 .. $rounds)
	{
		# odd rounds under READ COMMITTED only; even ones (unless
		# JSONB_IVM_PROJECTION_STRESS_LEVELS says "read committed") with
		# some transactions under REPEATABLE READ and SERIALIZABLE, so
		# that a difference says which levels produced it
		my $all = $mixed && $round % 2 == 0;
		my @files = $all ? @all_levels : @read_committed;
		my $levels = $all ? 'all levels' : 'read committed';
		my ($stdout, $stderr);
		my $ok = IPC::Run::run(
			[
				'pgbench', '--no-vacuum', "--client=$clients", '--jobs=2',
				"--time=$round_seconds", '--max-tries=1000', '--failures-detailed',
				"--random-seed=$round", @files,
				'--host', $node->host, '--port', $node->port, 'postgres'
			],
			'>', \$stdout, '2>', \$stderr);
		ok($ok, "$name, round $round ($levels): pgbench ran $clients clients for $round_seconds s without an error")
		  or diag("pgbench stdout:\n$stdout\npgbench stderr:\n$stderr");
		$processed += ($stdout =~ /number of transactions actually processed: (\d+)/)[0] // 0;
		$failed += ($stdout =~ /number of failed transactions: (\d+)/)[0] // 0;
		$retried += ($stdout =~ /number of transactions retried: (\d+)/)[0] // 0;
		$retries += ($stdout =~ /total number of retries: (\d+)/)[0] // 0;
		note("$name, round $round: $_")
		  for grep { /^number of (serialization|deadlock) failures|^tps/ } split /\n/, $stdout;
		compare($name, $s, "round $round ($levels)");
	}
	cmp_ok($processed, '>', 0, "$name: transactions processed");
	is($failed, 0, "$name: no transaction failed after its retries");
	my $deadlocks = deadlocks() - $deadlocks_before;
	note(sprintf('%s: %d transactions in %d s, %d retried (%d retries), %d failed, %d deadlocks detected by the server',
		$name, $processed, $round_seconds * $rounds, $retried, $retries, $failed,
		$deadlocks));

	# the same workload without the projections, two rounds (one at each
	# mix of levels): the deadlocks its own statements cause, locking rows
	# in no particular order, against those with the projections
	$node->safe_psql('postgres', q{
		DO $$
		DECLARE
			p text;
		BEGIN
			-- a projection another one reads is dropped after it
			WHILE EXISTS (SELECT FROM jsonb_ivm_projections) LOOP
				FOR p IN SELECT projection FROM jsonb_ivm_projections LOOP
					BEGIN
						PERFORM jsonb_ivm_drop_projection(p);
					EXCEPTION WHEN dependent_objects_still_exist THEN
						NULL;
					END;
				END LOOP;
			END LOOP;
		END
		$$});
	my ($alone, $alone_deadlocks) = (0, deadlocks());
	for my $round (1 .. 2)
	{
		my ($stdout, $stderr);
		my $ok = IPC::Run::run(
			[
				'pgbench', '--no-vacuum', "--client=$clients", '--jobs=2',
				"--time=$round_seconds", '--max-tries=1000', "--random-seed=$round",
				$mixed && $round == 2 ? @all_levels : @read_committed,
				'--host', $node->host, '--port', $node->port, 'postgres'
			],
			'>', \$stdout, '2>', \$stderr);
		ok($ok, "$name without projections, round $round: pgbench ran")
		  or diag("pgbench stdout:\n$stdout\npgbench stderr:\n$stderr");
		$alone += ($stdout =~ /number of transactions actually processed: (\d+)/)[0] // 0;
	}
	$alone_deadlocks = deadlocks() - $alone_deadlocks;
	note(sprintf('%s: deadlocks per 1000 transactions: %.1f with the projections, %.1f without (%d transactions in %d s, %d deadlocks)',
		$name, $processed ? 1000 * $deadlocks / $processed : 0,
		$alone ? 1000 * $alone_deadlocks / $alone : 0, $alone, 2 * $round_seconds,
		$alone_deadlocks));
}

# Every projection of a schema equals its query, byte for byte, both ways,
# and jsonb_ivm_check_projection finds nothing.
sub compare
{
	my ($name, $s, $when) = @_;
	for my $projection (sort keys %{ $s->{projections} })
	{
		my $reference = $s->{projections}{$projection};
		my $columns = $s->{columns}{$projection} // 'id';
		my $exists = $node->safe_psql('postgres',
			"SELECT to_regclass('$projection') IS NOT NULL");
		ok($exists eq 't', "$name, $when: $projection exists") or next;
		my $rows = $node->safe_psql('postgres', "SELECT count(*) FROM $projection");
		is( $node->safe_psql(
				'postgres',
				"SELECT side || ': ' || row_text FROM ivm_test.projection_differences('$projection', '$reference', '$columns')"
			),
			'',
			"$name, $when: $projection ($rows rows) equals its query both ways (EXCEPT ALL)");
		is( $node->safe_psql(
				'postgres',
				"SELECT to_jsonb(c)::text FROM jsonb_ivm_check_projection('$projection') AS c"
			),
			'',
			"$name, $when: jsonb_ivm_check_projection('$projection') is empty");
	}
}

$node->stop;
done_testing();
