#!/usr/bin/env perl
# int2sym.pl — replace integer ids by symbols (as Kaldi's utils/int2sym.pl).
# Usage: int2sym.pl [-f <field-range>] <symbol-table> [input-file ...] > output
#   -f 2-   map fields 2 to the end (1-based; ranges "a-b", "a-", "-b", "a", and "a,b,c")
# Every other field is copied. An id missing from the table is an error.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use SymMap;

my @ranges;
while (@ARGV && $ARGV[0] =~ /^-f/) {
    my $opt = shift @ARGV;
    SymMap::add_ranges('int2sym.pl', \@ranges, $opt eq '-f' ? shift @ARGV : substr($opt, 2));
}
die "Usage: int2sym.pl [-f <field-range>] <symbol-table> [input] > output\n" unless @ARGV >= 1;
my $sym = SymMap::read_table('int2sym.pl', shift @ARGV, 1);
exit(SymMap::map_lines('int2sym.pl', \@ranges, $sym, undef) ? 1 : 0);
