# SymMap.pm — what int2sym.pl and sym2int.pl share: -f field ranges, reading a symbol table,
# and mapping the selected fields of each input line.
package SymMap;
use strict;
use warnings;

# Adds the ranges of a -f spec ("2-", "1-3", "-4", "5", "1,3-") to @$ranges; dies if bad.
sub add_ranges {
    my ($prog, $ranges, $spec) = @_;
    die "$prog: -f needs a field range\n" unless defined $spec && length $spec;
    for my $r (split /,/, $spec) {
        if ($r =~ /^(\d*)-(\d*)$/) {
            push @$ranges, [ $1 eq '' ? 1 : $1, $2 eq '' ? 1e9 : $2 ];
        } elsif ($r =~ /^\d+$/) {
            push @$ranges, [ $r, $r ];
        } else {
            die "$prog: bad field range '$spec'\n";
        }
    }
}

# A symbol table ("symbol id" lines) as a hash: symbol -> id, or id -> symbol with $by_id.
sub read_table {
    my ($prog, $file, $by_id) = @_;
    open(my $fh, '<', $file) or die "$prog: cannot open symbol table $file: $!\n";
    my %map;
    while (<$fh>) {
        my @f = split;
        next unless @f;
        die "$prog: bad line in $file: $_" unless @f == 2;
        if ($by_id) { $map{$f[1]} = $f[0]; } else { $map{$f[0]} = $f[1]; }
    }
    close $fh;
    return \%map;
}

# Maps the selected fields (all without ranges) of every line of <> through %$map and prints
# the lines. A field not in the map gets $missing->($field) when that is defined, else it is
# reported and kept. Returns the number of fields reported.
sub map_lines {
    my ($prog, $ranges, $map, $missing) = @_;
    my $errors = 0;
    while (my $line = <>) {
        my @f = split ' ', $line;
        for my $i (0 .. $#f) {
            next unless selected($ranges, $i + 1);
            if (exists $map->{$f[$i]}) {
                $f[$i] = $map->{$f[$i]};
                next;
            }
            my $r = $missing ? $missing->($f[$i]) : undef;
            if (defined $r) {
                $f[$i] = $r;
            } else {
                print STDERR "$prog: undefined symbol $f[$i] (in position ", $i + 1, ")\n";
                $errors++;
            }
        }
        print join(' ', @f), "\n";
    }
    return $errors;
}

sub selected {
    my ($ranges, $i) = @_;
    return 1 unless @$ranges;
    for my $r (@$ranges) { return 1 if $i >= $r->[0] && $i <= $r->[1]; }
    return 0;
}

1;
