#!/usr/bin/env perl
# sym2int.pl — replace symbols by integer ids (as Kaldi's utils/sym2int.pl).
# Usage: sym2int.pl [--map-oov <oov-symbol-or-id>] [-f <field-range>] <symbol-table> [input ...]
# Without --map-oov an unknown symbol is an error; with it, unknown symbols map to the OOV's id
# and a count of them is printed to stderr.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use SymMap;

my ($oov, @ranges);
while (@ARGV && $ARGV[0] =~ /^-/) {
    my $opt = shift @ARGV;
    if ($opt eq '--map-oov') {
        $oov = shift @ARGV;
    } elsif ($opt =~ /^-f(.*)$/) {
        SymMap::add_ranges('sym2int.pl', \@ranges, $1 eq '' ? shift @ARGV : $1);
    } else {
        die "sym2int.pl: unknown option $opt\n";
    }
}
die "Usage: sym2int.pl [--map-oov <oov>] [-f <field-range>] <symbol-table> [input] > output\n"
    unless @ARGV >= 1;
my $id = SymMap::read_table('sym2int.pl', shift @ARGV, 0);
if (defined $oov && $oov !~ /^\d+$/) {
    die "sym2int.pl: OOV symbol $oov is not in the symbol table\n" unless exists $id->{$oov};
    $oov = $id->{$oov};
}
my $num_oov = 0;
my $errors = SymMap::map_lines('sym2int.pl', \@ranges, $id,
                               defined $oov ? sub { $num_oov++; return $oov; } : undef);
print STDERR "sym2int.pl: replacing $num_oov instances of OOVs with $oov\n" if $num_oov;
exit($errors ? 1 : 0);
