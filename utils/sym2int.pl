#!/usr/bin/env perl
# sym2int.pl — replace symbols by integer ids (as Kaldi's utils/sym2int.pl).
# Usage: sym2int.pl [--map-oov <oov-symbol-or-id>] [-f <field-range>] <symbol-table> [input ...]
# Without --map-oov an unknown symbol is an error; with it, unknown symbols map to the OOV's id
# and a count of them is printed to stderr.
use strict;
use warnings;

my ($oov, @ranges);
while (@ARGV && $ARGV[0] =~ /^-/) {
    my $opt = shift @ARGV;
    if ($opt eq '--map-oov') {
        $oov = shift @ARGV;
    } elsif ($opt =~ /^-f(.*)$/) {
        my $spec = $1 eq '' ? shift @ARGV : $1;
        die "sym2int.pl: -f needs a field range\n" unless defined $spec && length $spec;
        for my $r (split /,/, $spec) {
            if ($r =~ /^(\d*)-(\d*)$/) {
                push @ranges, [ $1 eq '' ? 1 : $1, $2 eq '' ? 1e9 : $2 ];
            } elsif ($r =~ /^\d+$/) {
                push @ranges, [ $r, $r ];
            } else {
                die "sym2int.pl: bad field range '$spec'\n";
            }
        }
    } else {
        die "sym2int.pl: unknown option $opt\n";
    }
}
die "Usage: sym2int.pl [--map-oov <oov>] [-f <field-range>] <symbol-table> [input] > output\n"
    unless @ARGV >= 1;
my $symtab = shift @ARGV;
open(my $fh, '<', $symtab) or die "sym2int.pl: cannot open symbol table $symtab: $!\n";
my %id;
while (<$fh>) {
    my @f = split;
    next unless @f;
    die "sym2int.pl: bad line in $symtab: $_" unless @f == 2;
    $id{$f[0]} = $f[1];
}
close $fh;
if (defined $oov && $oov !~ /^\d+$/) {
    die "sym2int.pl: OOV symbol $oov is not in the symbol table\n" unless exists $id{$oov};
    $oov = $id{$oov};
}

sub selected {
    my $i = shift;
    return 1 unless @ranges;
    for my $r (@ranges) { return 1 if $i >= $r->[0] && $i <= $r->[1]; }
    return 0;
}

my ($errors, $num_oov) = (0, 0);
while (my $line = <>) {
    my @f = split ' ', $line;
    for my $i (0 .. $#f) {
        next unless selected($i + 1);
        if (exists $id{$f[$i]}) {
            $f[$i] = $id{$f[$i]};
        } elsif (defined $oov) {
            $f[$i] = $oov;
            $num_oov++;
        } else {
            print STDERR "sym2int.pl: undefined symbol $f[$i] (in position ", $i + 1, ")\n";
            $errors++;
        }
    }
    print join(' ', @f), "\n";
}
print STDERR "sym2int.pl: replacing $num_oov instances of OOVs with $oov\n" if $num_oov;
exit($errors ? 1 : 0);
