# The differential fuzzer of jsonb_ivm (test/lib/fuzz.sql): seeded cases of
# each of the nine functions, the C function against its plpgsql reference,
# byte for byte, errors by SQLSTATE.  One verdict per function; a failure
# is shown as a minimal reproducing statement (shrunk).  A server crash is
# survived (the postmaster reinitializes) and fails the crashing function,
# with the crashing call, shrunk, as its statement.  The server's processes
# may use at most 1 GB of address space each, so that a call asking for
# absurd amounts of memory fails instead of passing unnoticed.
#
# Environment:
#   JSONB_IVM_FUZZ=quick    2,300 cases per function, 20,700 in all (default)
#   JSONB_IVM_FUZZ=long     112,000 cases per function, 1,008,000 in all
#   JSONB_IVM_FUZZ_CASES=N  N cases per function instead
#   JSONB_IVM_FUZZ_JOBS=J   J parallel sessions (default 2)
#   JSONB_IVM_FUZZ_STREAM=S the seed stream (default: the mode's name);
#                           another stream draws other cases
# A failing case is rebuilt alone, in the stream it was drawn from, with
#   SELECT ivm_fuzz.sql(ivm_fuzz.make_case('merge_patch', 'quick', 1234));

use strict;
use warnings;

use Test::More;
use JsonbIvmTest;

my %modes = (
	quick => { cases => 2300,   chunk => 100 },
	long  => { cases => 112000, chunk => 250 });
my $mode = $ENV{JSONB_IVM_FUZZ} || 'quick';
die "JSONB_IVM_FUZZ must be quick or long, not \"$mode\"\n"
  unless $modes{$mode};
my $cases  = env_count('JSONB_IVM_FUZZ_CASES', $modes{$mode}{cases});
my $jobs   = env_count('JSONB_IVM_FUZZ_JOBS', 2) || 1;
my $stream = $ENV{JSONB_IVM_FUZZ_STREAM} || $mode;

my $node = new_node('fuzz');
$node->start;
ok(limit_memory($node, 1024 * 1024),
	'server processes limited to 1 GB of address space');
setup_db($node, 'fuzz', qw(helpers reference generator fuzz));

note("fuzz: $mode, $cases cases of each function, stream '$stream', "
	  . "$jobs session(s)");
my $seconds = fuzz(
	$node, 'fuzz',
	stream => $stream,
	cases  => $cases,
	chunk  => $modes{$mode}{chunk},
	jobs   => $jobs);
my $total = fuzz_report($node, 'fuzz', $stream, $cases, 'fuzz');
note(sprintf('fuzz: %d cases in %.0f s', $total, $seconds));

$node->stop;
done_testing();
