#!/bin/sh
# compute-wer: modes, error split, exact output lines, bad input; int2sym.pl / sym2int.pl.
. "$(dirname "$0")/lib.sh"

test_expect_success 'identical texts: 0 errors' '
    printf "u1 a b c\nu2 d\n" >ref &&
    compute-wer --text --mode=present ark:ref ark:ref >out &&
    printf "%%WER 0.00 [ 0 / 4, 0 ins, 0 del, 0 sub ]\n%%SER 0.00 [ 0 / 2 ]\nScored 2 sentences, 0 not present in hyp.\n" >exp &&
    test_cmp exp out
'
test_expect_success 'insertion, deletion, substitution counted apart' '
    printf "u1 a b c\nu2 d e\nu3 f\n" >ref &&
    printf "u1 a x c\nu2 d\nu3 f g\n" >hyp &&
    compute-wer ark:ref ark:hyp >out &&
    printf "%%WER 50.00 [ 3 / 6, 1 ins, 1 del, 1 sub ]\n%%SER 100.00 [ 3 / 3 ]\nScored 3 sentences, 0 not present in hyp.\n" >exp &&
    test_cmp exp out
'
test_expect_success 'mode present skips, mode all counts absent hypotheses as empty' '
    printf "u1 a b\nu2 c d\n" >ref &&
    printf "u1 a b\n" >hyp &&
    compute-wer --mode=present ark:ref ark:hyp >p &&
    compute-wer --mode=all ark:ref ark:hyp >a &&
    printf "%%WER 0.00 [ 0 / 2, 0 ins, 0 del, 0 sub ] [PARTIAL]\n%%SER 0.00 [ 0 / 1 ]\nScored 1 sentences, 1 not present in hyp.\n" >expp &&
    printf "%%WER 50.00 [ 2 / 4, 0 ins, 2 del, 0 sub ] [PARTIAL]\n%%SER 50.00 [ 1 / 2 ]\nScored 2 sentences, 1 not present in hyp.\n" >expa &&
    test_cmp expp p && test_cmp expa a
'
test_expect_success 'hypotheses from a pipe with ark,p (as local/score.sh)' '
    printf "u1 a b\nu2 c\n" >ref &&
    compute-wer --text --mode=present ark:ref "ark,p:printf \"u2 c\\nu1 a\\n\" |" >out &&
    grep -q "^%WER 33.33 \[ 1 / 3, 0 ins, 1 del, 0 sub \]$" out
'
test_expect_error 'strict mode: missing hypothesis' 'No hypothesis for key u2 and strict mode specifier' \
    sh -c 'printf "u1 a\nu2 b\n" >ref && printf "u1 a\n" >hyp && compute-wer --mode=strict ark:ref ark:hyp'
test_expect_error 'invalid mode' '--mode option invalid: expected "present"\|"all"\|"strict", got foo' \
    compute-wer --mode=foo ark:ref ark:hyp
test_expect_error 'missing reference file' 'ref.missing' compute-wer ark:ref.missing ark:hyp
test_expect_success 'wrong number of arguments: usage and exit 1' '
    compute-wer ark:x 2>err; test $? -eq 1 && grep -q "Usage: compute-wer" err
'
test_expect_success 'int2sym.pl and sym2int.pl map fields 2- both ways' '
    printf "<eps> 0\nONE 1\nTWO 2\n" >words.txt &&
    printf "u1 1 2 1\nu2\n" >int &&
    int2sym.pl -f 2- words.txt int >txt &&
    printf "u1 ONE TWO ONE\nu2\n" >exp && test_cmp exp txt &&
    sym2int.pl -f 2- words.txt txt >back && test_cmp int back
'
test_expect_success 'int2sym.pl fails on an unknown id, sym2int.pl --map-oov maps unknown words' '
    printf "<eps> 0\nONE 1\n<unk> 2\n" >words.txt &&
    printf "u1 1 7\n" >int && ! int2sym.pl -f 2- words.txt int >/dev/null 2>err &&
    grep -q "undefined symbol 7" err &&
    printf "u1 ONE FOO\n" >txt && sym2int.pl --map-oov "<unk>" -f 2- words.txt txt >out 2>/dev/null &&
    printf "u1 1 2\n" >exp && test_cmp exp out
'
test_expect_success 'compute-wer-bootci: mean near the WER, interval around it, repeatable' '
    awk "{ printf \"%s\", \$1; for (i = 2; i <= NF; i++) printf \" %s\", (NR % 5 == 0 && i == 2) ? \"x\" : \$i; print \"\" }" \
        $DATA/decode/ref.txt >hyp &&
    compute-wer --mode=present ark:$DATA/decode/ref.txt ark:hyp >wer &&
    compute-wer-bootci --mode=present --replications=2000 ark:$DATA/decode/ref.txt ark:hyp >b1 &&
    compute-wer-bootci --mode=present --replications=2000 ark:$DATA/decode/ref.txt ark:hyp >b2 &&
    test_cmp b1 b2 &&
    awk -v w="$(awk "/%WER/{print \$2}" wer)" "/^Set1: %WER/ { m = \$3; lo = \$8 + 0; hi = \$9 + 0;
        if (m < w - 0.3 || m > w + 0.3 || !(lo < m && m < hi)) exit 1; ok = 1 } END { exit !ok }" b1
'
test_expect_success 'compute-wer-bootci with two systems: a better system improves with high probability' '
    awk "{ printf \"%s\", \$1; for (i = 2; i <= NF; i++) printf \" %s\", (NR % 5 == 0 && i == 2) ? \"x\" : \$i; print \"\" }" \
        $DATA/decode/ref.txt >hyp &&
    compute-wer-bootci --mode=present --replications=1000 ark:$DATA/decode/ref.txt ark:hyp ark:$DATA/decode/ref.txt >b &&
    grep -q "^Set2: %WER 0.00 95% Conf Interval \[ 0.00, 0.00 \]$" b &&
    grep -q "^Probability of Set2 improving Set1: 100.00$" b &&
    compute-wer-bootci --replications=100 ark:$DATA/decode/ref.txt ark:hyp ark:hyp >same &&
    grep -q "^Probability of Set2 improving Set1: 0.00$" same
'
test_expect_error 'compute-wer-bootci strict mode with a missing hypothesis' 'No hypothesis for key' \
    sh -c "head -3 $DATA/decode/ref.txt >h && compute-wer-bootci ark:$DATA/decode/ref.txt ark:h"
test_done
