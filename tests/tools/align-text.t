#!/bin/sh
# align-text: minimal edit-distance alignment, Kaldi's tie-breaking and output layout.
. "$(dirname "$0")/lib.sh"

test_expect_success 'pairs, separators, tie-breaking (substitution, then deletion, then insertion)' '
    printf "u1 a b c\nu2 d e\nu3 x\nu4\nu5 p q\n" > t1 &&
    printf "u1 a c\nu2 f d e g\nu3 y z\nu4 q\nu5\n" > t2 &&
    align-text ark:t1 ark:t2 ark,t:out 2> err &&
    cat > want <<\EOS &&
u1 a a ; b <eps> ; c c 
u2 <eps> f ; d d ; e e ; <eps> g 
u3 <eps> y ; x z 
u4 <eps> q 
u5 p <eps> ; q <eps> 
EOS
    test_cmp want out && grep -q "Done 5 sentences, failed for 0" err
'
test_expect_success '--special-symbol and --separator' '
    printf "u1 a b\n" > t1 && printf "u1 b\n" > t2 &&
    align-text --special-symbol="***" --separator="|" ark:t1 ark:t2 ark,t:out &&
    echo "u1 a *** | b b " > want && test_cmp want out
'
test_expect_success 'the number of unequal pairs is compute-wer'"'"'s error count (real decodes)' '
    align-text --special-symbol=EPS ark:$DATA/decode/ref.txt ark:$DATA/decode/hyp.edited.txt ark,t:out 2>/dev/null &&
    errs=$(awk "{ for (i = 2; i <= NF; i += 3) if (\$i != \$(i+1)) e++ } END { print e + 0 }" out) &&
    compute-wer --text --mode=present ark:$DATA/decode/ref.txt ark:$DATA/decode/hyp.edited.txt > wer 2>/dev/null &&
    test "$errs" = "$(awk "/%WER/ { print \$4 }" wer)"
'
test_expect_success 'a key missing in text2 is a warning; none aligned is exit 1' '
    printf "u1 a\n" > t1 && printf "u2 a\n" > t2 &&
    test_must_fail align-text ark:t1 ark:t2 ark,t:out 2> err &&
    grep -q "WARNING.*Key u1 is in ark:t1, but not in ark:t2" err
'
test_expect_error 'the special symbol inside a text is an error' "contains the word '<eps>'" \
    sh -c 'printf "u1 a <eps>\n" > t1; printf "u1 a\n" > t2; align-text ark:t1 ark:t2 ark,t:-'
test_expect_success 'wrong number of arguments: usage and exit status 1' '
    align-text ark:a ark:b 2> err; test $? -eq 1 && grep -q "^Usage: align-text" err
'
test_done
