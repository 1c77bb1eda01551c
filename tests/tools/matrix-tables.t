#!/bin/sh
# Matrix tables through every table mode: ark/scp/ark,scp, text/binary/compressed, pipes,
# offsets, ranges, random access with s/cs/o/p, double matrices and vectors; each case a
# round trip that must give back the same text.
. "$(dirname "$0")/lib.sh"

mk() {
    printf 'a [\n  1 2 3 \n  4 5 6 ]\nb [\n  -0.5 0.25 8 ]\nc [\n  7 8 9 \n  1 1 1 \n  2 2 2 ]\n' >in.txt &&
    copy-feats ark:in.txt ark:in.ark && copy-feats ark:in.ark ark,t:ref.txt
}

test_expect_success 'scp: writer writes one file per key; read back in order' '
    mk && printf "a a.mat\nb b.mat\nc c.mat\n" >out.scp &&
    copy-feats ark:in.ark scp:out.scp && test -s b.mat &&
    test "$(head -c 2 a.mat | od -An -c | tr -d " ")" = "\\0B" &&
    copy-feats scp:out.scp ark,t:back.txt && test_cmp ref.txt back.txt
'
test_expect_success 'ark,scp (text archive) and scp offsets read back' '
    mk && copy-feats ark:in.ark ark,t,scp:t.ark,t.scp && copy-feats scp:t.scp ark,t:back.txt &&
    test_cmp ref.txt back.txt
'
test_expect_success 'ark,scp compressed (CM2 for <= 8 rows) decompresses through the scp' '
    mk && copy-feats --compress=true --compression-method=3 ark:in.ark ark,scp:c.ark,c.scp &&
    copy-feats scp:c.scp ark,t:back.txt && copy-feats ark:c.ark ark,t:back2.txt &&
    test_cmp back.txt back2.txt
'
test_expect_success 'file:offset and ranges (rows, cols, ":" halves) in a hand-written scp' '
    mk && copy-feats ark:in.ark ark,scp:x.ark,x.scp &&
    off=$(grep "^c " x.scp | sed "s/.*://") &&
    printf "r x.ark:$off[1:2]\nk x.ark:$off[:,0:0]\n" >r.scp &&
    copy-feats scp:r.scp ark,t:o.txt &&
    printf "r  [\n  1 1 1 \n  2 2 2 ]\nk  [\n  7 \n  1 \n  2 ]\n" >exp && test_cmp exp o.txt
'
test_expect_success 'ranges on a compressed matrix decompress only the block' '
    mk && copy-feats --compress=true --compression-method=4 ark:in.ark ark,scp:c.ark,c.scp &&
    off=$(grep "^c " c.scp | sed "s/.*://") && printf "k c.ark:$off[2:2,1:2]\n" >r.scp &&
    copy-feats scp:r.scp ark,t:o.txt && printf "k  [\n  2 2 ]\n" >exp && test_cmp exp o.txt
'
test_expect_success 'random access: sorted (s,cs), once (o), from a pipe' '
    mk && paste-feats ark:in.ark "ark,s,cs:copy-feats ark:in.ark ark:- |" ark,t:o1 &&
    paste-feats ark:in.ark "ark,o:cat in.ark |" ark,t:o2 && test_cmp o1 o2 &&
    grep -q "^b  \[" o1 && test $(grep -c "\]" o1) = 3
'
test_expect_success 'random access on an scp, missing key reported' '
    mk && copy-feats ark:in.ark ark,scp:x.ark,x.scp && grep -v "^b " x.scp >y.scp &&
    paste-feats ark:in.ark scp:y.scp ark,t:o 2>log && grep -q "Missing utt b from input scp:y.scp" log
'
test_expect_success 'permissive scp reading skips an unreadable entry' '
    mk && copy-feats ark:in.ark ark,scp:x.ark,x.scp && { cat x.scp; echo "z nothere.ark:3"; } >p.scp &&
    copy-feats scp,p:p.scp ark,t:o 2>/dev/null; test $(grep -c "\]" o) = 3
'
test_expect_success 'double matrices and vectors through copy-matrix/copy-vector' '
    printf "a [ 1.5 2\n 3 4 ]\n" >d.txt && copy-matrix ark:d.txt ark:d.ark &&
    copy-matrix ark:d.ark ark,t:d2.txt && printf "a  [\n  1.5 2 \n  3 4 ]\n" >exp && test_cmp exp d2.txt &&
    printf "v [ 1 2 3 ]\n" >v.txt && copy-vector ark:v.txt ark,scp:v.ark,v.scp &&
    off=$(sed "s/.*://" v.scp) && printf "w v.ark:$off[1:2]\n" >vr.scp &&
    copy-vector scp:vr.scp ark,t:o && printf "w  [ 2 3 ]\n" >exp2 && test_cmp exp2 o
'
test_expect_error 'output pipe that fails' 'exited with status|Pipe' \
    sh -c 'printf "a [ 1 ]\n" >i && copy-feats ark:i "ark:| cat >/dev/null; exit 4"'
test_done
