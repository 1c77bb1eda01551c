#!/bin/sh
# lattice-copy, lattice-scale, lattice-add-penalty, lattice-best-path, lattice-1best,
# nbest-to-linear on small hand-written lattices; bad input.
. "$(dirname "$0")/lib.sh"

# Two paths: word 5 (cost 1+10) and word 6 (cost 3+4) then word 7; acoustic strings of tids.
mklat() {
    printf 'u1 \n0\t1\t5\t1,10,2_3\n0\t1\t6\t3,4,4\n1\t2\t7\t0.5,1,5_6_6\n2\t0,0.5,\n\n'
}
test_expect_success 'text -> binary -> text round trip' '
    mklat >in.txt && lattice-copy ark:in.txt ark:bin.ark 2>log &&
    grep -q "Done copying 1 lattices." log &&
    lattice-copy ark:bin.ark ark,t:out.txt && test_cmp in.txt out.txt
'
test_expect_success 'ark,scp output can be read back through the scp' '
    mklat >in.txt && lattice-copy ark:in.txt ark,scp:l.ark,l.scp &&
    grep -q "^u1 l.ark:3$" l.scp && lattice-copy scp:l.scp ark,t:out.txt && test_cmp in.txt out.txt
'
test_expect_success 'best path: acoustic scale decides between the two words' '
    mklat >in.txt &&
    lattice-best-path ark:in.txt ark,t:w1 ark,t:a1 2>log1 &&
    printf "u1 6 7 \n" >e1 && test_cmp e1 w1 && printf "u1 4 5 6 6 \n" >ea && test_cmp ea a1 &&
    grep -q "For utterance u1, best cost 3.5 + 5.5 = 9 over 4 frames." log1 &&
    lattice-best-path --acoustic-scale=0.1 ark:in.txt ark,t:w2 2>/dev/null &&
    printf "u1 5 7 \n" >e2 && test_cmp e2 w2
'
test_expect_success 'lattice-scale and lattice-add-penalty change the costs as Kaldi does' '
    mklat >in.txt && lattice-scale --acoustic-scale=0.5 --lm-scale=2 ark:in.txt ark:- 2>/dev/null |
    lattice-add-penalty --word-ins-penalty=1 ark:- ark,t:out.txt 2>/dev/null &&
    printf "u1 \n0\t1\t5\t3,5,2_3\n0\t1\t6\t7,2,4\n1\t2\t7\t2,0.5,5_6_6\n2\t0,0.25,\n\n" >exp &&
    test_cmp exp out.txt
'
test_expect_success 'lattice-1best keeps the original weights; nbest-to-linear gives costs' '
    mklat >in.txt && lattice-1best --acoustic-scale=0.1 ark:in.txt ark:- 2>/dev/null |
    nbest-to-linear ark:- ark,t:ali ark,t:words ark,t:lm ark,t:ac 2>/dev/null &&
    printf "u1 2 3 5 6 6 \n" >ea && test_cmp ea ali &&
    printf "u1 1.5 \n" >el && test_cmp el lm && printf "u1 11.5 \n" >ec && test_cmp ec ac
'
for n in 60 100; do
    test_expect_error "binary lattice archive truncated at byte $n" 'truncated|unexpected end of input' \
        sh -c "printf \"u1 \n0\t1\t5\t1,10,2_3\n1\n\n\" | lattice-copy ark:- ark:b.ark && head -c $n b.ark >t.ark && lattice-copy ark:t.ark ark:o.ark"
done
test_expect_error 'corrupt text lattice' 'bad line 1' \
    sh -c "printf \"u1 \n0\tx\t5\n\n\" | lattice-copy ark:- ark:o.ark"
test_expect_success 'empty lattice: best path fails with Kaldi warning, exit 1' '
    printf "u1 \n\n" >e.txt && ! lattice-best-path ark:e.txt ark,t:w 2>log &&
    grep -q "Best-path failed for key u1" log && grep -q "Done 0 lattices, failed for 1" log
'
test_done
