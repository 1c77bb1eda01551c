#!/bin/sh
# subset-feats: --n, --include, --exclude and their conflicts.
. "$(dirname "$0")/lib.sh"

mk() { printf "a [ 1 ]\nb [ 2 ]\nc [ 3 ]\n" >in; }
test_expect_success '--n=2 copies the first two' '
    mk && subset-feats --n=2 ark:in ark,t:o && printf "a  [\n  1 ]\nb  [\n  2 ]\n" >exp && test_cmp exp o
'
test_expect_success '--include keeps listed keys (first field), logs count' '
    mk && printf "c x\n a\n" >list && subset-feats --include=list ark:in ark,t:o 2>log &&
    printf "a  [\n  1 ]\nc  [\n  3 ]\n" >exp && test_cmp exp o &&
    grep -q " Wrote 2 out of 3 utterances." log
'
test_expect_success '--exclude drops listed keys' '
    mk && echo b >list && subset-feats --exclude=list ark:in ark,t:o &&
    printf "a  [\n  1 ]\nc  [\n  3 ]\n" >exp && test_cmp exp o
'
test_expect_success '--include with nothing matching: exit 1' '
    mk && echo z >list && { subset-feats --include=list ark:in ark,t:o 2>/dev/null; test $? = 1; }
'
test_expect_error '--include with --n' 'Should not have both --include and --n option!' \
    subset-feats --include=list --n=3 ark:in ark:o
test_expect_error '--include with --exclude' 'should not have both --exclude and --include option!' \
    subset-feats --include=a --exclude=b ark:in ark:o
test_expect_error '--n=0' 'Invalid option --n=0. Should be at least 1' \
    sh -c 'printf "a [ 1 ]\n" >in && subset-feats --n=0 ark:in ark:o'
test_expect_error 'empty line in the list' 'Empty line encountered' \
    sh -c 'printf "a [ 1 ]\n" >in && printf "a\n\nb\n" >l && subset-feats --include=l ark:in ark:o'
test_done
