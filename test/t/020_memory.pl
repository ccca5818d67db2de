# Backend memory must not grow with the number of calls
# (test/lib/memory.sql): each of the nine functions is called in one SQL
# statement and in one plpgsql loop, each way in a fresh backend: 10,000
# calls to warm up, 10,000 measured, then the big run measured.  One
# verdict per function and way: the big run's peak resident set must not
# exceed the small run's by more than 4 MB, the memory contexts must not
# hold more than 64 kB more, the peak virtual size must not grow by more
# than 100 MB.
#
# Environment:
#   JSONB_IVM_MEMORY_CALLS=N  calls in the big run; the default, 300,000,
#                             shows a leak of the smallest palloc chunk (16
#                             bytes with its header) a call as 4.7 MB, and
#                             any leak into a context that outlives the
#                             statement by the contexts' size
#   JSONB_IVM_MEMORY=long     a million calls of each function

use strict;
use warnings;

use Test::More;
use JsonbIvmTest;

my $calls = env_count('JSONB_IVM_MEMORY_CALLS',
	($ENV{JSONB_IVM_MEMORY} // '') eq 'long' ? 1_000_000 : 300_000);

my $node = new_node('memory');
$node->start;
setup_db($node, 'memory', qw(helpers memory));

note("memory: $calls calls of each function per way, each in a fresh backend");
for my $fn (split /\n/,
	$node->safe_psql('memory', 'SELECT fn FROM ivm_mem.call ORDER BY ord'))
{
	for my $way ('statement', 'plpgsql loop')
	{
		$node->safe_psql(
			'memory', q{
			SELECT ivm_mem.start(:'fn', :'way', :calls);
			SELECT ivm_mem.run(:'fn', :'way', 10000);
			SELECT ivm_mem.reset_peak();
			SELECT ivm_mem.run(:'fn', :'way', 10000);
			SELECT ivm_mem.note(:'fn', :'way', 'small');
			SELECT ivm_mem.reset_peak();
			SELECT ivm_mem.run(:'fn', :'way', :calls);
			SELECT ivm_mem.note(:'fn', :'way', 'big');
		}, extra_params => [ '-v', "fn=$fn", '-v', "way=$way", '-v', "calls=$calls" ]);
	}
}

note($node->safe_psql('memory', 'SELECT * FROM ivm_mem.report()',
	extra_params => [ '-P', 'tuples_only=off', '-P', 'format=aligned' ]));
for my $row (split /\n/,
	$node->safe_psql('memory', 'SELECT fn, way, verdict FROM ivm_mem.report()',
		extra_params => [ '-F', "\t" ]))
{
	my ($fn, $way, $verdict) = split /\t/, $row;
	is($verdict, 'ok', "memory jsonb_$fn, $way: $calls calls");
}

$node->stop;
done_testing();
