#!/usr/bin/perl
# test/specs/inline.pl: write the isolation spec of a template
# (test/specs/NAME.spec.in) to standard output.  isolationtester cannot
# read a file, and ends an SQL block at the first "}", so each @FILE@ of the
# template (FILE relative to the repository root) becomes an SQL string
# literal holding the text of FILE, with "$" and "}" escaped: the literal
# may stand in an SQL block and inside a dollar-quoted body.
#
#   perl test/specs/inline.pl test/specs/NAME.spec.in >test/specs/NAME.spec
use strict;
use warnings;

# FILE's text as an escape string constant (E'...')
sub literal
{
	my ($file) = @_;
	open(my $fh, '<', $file) or die "$file: $!\n";
	my $text = do { local $/; <$fh> };
	close $fh;
	$text =~ s/\\/\\\\/g;
	$text =~ s/'/''/g;
	$text =~ s/\$/\\x24/g;
	$text =~ s/\}/\\x7d/g;
	return "E'$text'";
}

while (my $line = <>)
{
	$line =~ s/\@([\w.\/-]+)\@/literal($1)/ge;
	print $line;
}
