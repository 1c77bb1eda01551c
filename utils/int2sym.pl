#!/usr/bin/env perl
# int2sym.pl — replace integer ids by symbols (as Kaldi's utils/int2sym.pl).
# Usage: int2sym.pl [-f <field-range>] <symbol-table> [input-file ...] > output
#   -f 2-   map fields 2 to the end (1-based; ranges "a-b", "a-", "-b", "a", and "a,b,c")
# Every other field is copied. An id missing from the table is an error.
use strict;
use warnings;

my @ranges;
while (@ARGV && $ARGV[0] =~ /^-f/) {
    my $opt = shift @ARGV;
    my $spec = $opt eq '-f' ? shift @ARGV : substr($opt, 2);
    die "int2sym.pl: -f needs a field range\n" unless defined $spec && length $spec;
    for my $r (split /,/, $spec) {
        if ($r =~ /^(\d*)-(\d*)$/) {
            push @ranges, [ $1 eq '' ? 1 : $1, $2 eq '' ? 1e9 : $2 ];
        } elsif ($r =~ /^\d+$/) {
            push @ranges, [ $r, $r ];
        } else {
            die "int2sym.pl: bad field range '$spec'\n";
        }
    }
}
die "Usage: int2sym.pl [-f <field-range>] <symbol-table> [input] > output\n" unless @ARGV >= 1;
my $symtab = shift @ARGV;
open(my $fh, '<', $symtab) or die "int2sym.pl: cannot open symbol table $symtab: $!\n";
my %sym;
while (<$fh>) {
    my @f = split;
    next unless @f;
    die "int2sym.pl: bad line in $symtab: $_" unless @f == 2;
    $sym{$f[1]} = $f[0];
}
close $fh;

sub selected {
    my $i = shift;
    return 1 unless @ranges;
    for my $r (@ranges) { return 1 if $i >= $r->[0] && $i <= $r->[1]; }
    return 0;
}

my $errors = 0;
while (my $line = <>) {
    my @f = split ' ', $line;
    for my $i (0 .. $#f) {
        next unless selected($i + 1);
        if (!exists $sym{$f[$i]}) {
            print STDERR "int2sym.pl: undefined symbol $f[$i] (in position ", $i + 1, ")\n";
            $errors++;
            next;
        }
        $f[$i] = $sym{$f[$i]};
    }
    print join(' ', @f), "\n";
}
exit($errors ? 1 : 0);
