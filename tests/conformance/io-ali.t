#!/bin/sh
# Conformance against Kaldi's own outputs (conformance/ali): alignments and posteriors,
# binary <-> text, byte for byte.
. "$(dirname "$0")/../tools/lib.sh"
D=$DATA/io-ali

test_expect_success 'copy-int-vector: binary ali.ark -> text equals Kaldi ali.txt' '
    copy-int-vector ark:$D/ali.ark ark,t:out.txt && cmp $D/ali.txt out.txt
'
test_expect_success 'copy-int-vector: text ali.txt -> binary equals Kaldi ali.ark' '
    copy-int-vector ark:$D/ali.txt ark:out.ark && cmp $D/ali.ark out.ark
'
test_expect_success 'copy-int-vector: gunzip pipe (Kaldi command line) equals ali.txt, log as Kaldi' '
    copy-int-vector "ark:gunzip -c $D/ali.1.gz |" ark,t:out.txt 2>log &&
    cmp $D/ali.txt out.txt &&
    grep -q "^LOG (copy-int-vector\[.*\]:main():.*) Copied 120 vectors of int32.$" log
'
test_expect_success 'copy-post: binary ali-to-post.bin -> text equals Kaldi ali-to-post.txt' '
    copy-post ark:$D/ali-to-post.bin ark,t:out.txt && cmp $D/ali-to-post.txt out.txt
'
test_expect_success 'copy-post: text -> binary equals Kaldi ali-to-post.bin' '
    copy-post ark:$D/ali-to-post.txt ark:out.bin && cmp $D/ali-to-post.bin out.bin
'
test_expect_success 'ark,scp then scp read back reproduces the archive' '
    copy-int-vector ark:$D/ali.ark ark,scp:a.ark,a.scp && cmp $D/ali.ark a.ark &&
    copy-int-vector scp:a.scp ark:b.ark && cmp $D/ali.ark b.ark &&
    copy-int-vector "scp:sort -r a.scp |" ark,t:c.txt &&
    sort $D/ali.txt > e.txt && sort c.txt > c.sorted && test_cmp e.txt c.sorted
'
test_done
