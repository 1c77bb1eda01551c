#!/bin/sh
# Conformance against Kaldi's own outputs (conformance/io, conformance/featproc): feature
# archives binary/text/ark,scp, the seven compression methods (bytes and decompressed values),
# scp ranges, CMVN double matrices through copy-matrix, feat-to-len/dim, subset-feats,
# paste-feats, --write-num-frames. Every comparison is exact (cmp).
. "$(dirname "$0")/../tools/lib.sh"
D=$DATA/io
P=$DATA/featproc
export D P

test_expect_success 'copy-feats ark -> ark: byte-identical, Kaldi log line, exit 0' '
    copy-feats ark:$D/src.ark ark:out.ark 2>log && cmp $D/src.ark out.ark &&
    grep -q "^LOG (copy-feats\[.*\]:main():copy-feats.c:[0-9]*) Copied 4 feature matrices.$" log
'
test_expect_success 'copy-feats --binary=false ark,t: text-identical (%.7g)' '
    copy-feats --binary=false ark:$D/src.ark ark,t:out.txt && cmp $D/feats.txt.ark out.txt
'
test_expect_success 'Kaldi text archive -> binary -> text is text-identical' '
    copy-feats ark:$D/feats.txt.ark ark:out.ark && copy-feats ark:out.ark ark,t:out.txt &&
    cmp $D/feats.txt.ark out.txt
'
test_expect_success 'ark,scp: archive bytes and scp offsets as Kaldi' '
    copy-feats ark:$D/src.ark ark,scp:feats.ark,feats.scp && cmp $D/feats.ark feats.ark &&
    cmp $D/feats.scp feats.scp
'
test_expect_success 'scp input (offsets into the archive) reproduces the archive' '
    cp $D/feats.ark $D/feats.scp . && copy-feats scp:feats.scp ark:out.ark && cmp $D/src.ark out.ark
'
for k in 1 2 3 4 5 6 7; do
    test_expect_success "copy-feats --compress=true --compression-method=$k: Kaldi's bytes" "
        copy-feats --compress=true --compression-method=$k ark:\$D/src.ark ark:out.ark &&
        cmp \$D/feats.cm$k.ark out.ark
    "
    test_expect_success "method $k: decompression prints Kaldi's values exactly" "
        copy-feats ark:\$D/feats.cm$k.ark ark,t:out.txt && cmp \$D/feats.cm$k.decompressed.txt out.txt
    "
done
test_expect_success 'compressed input, binary output: Kaldi writes the decompressed FM' '
    copy-feats ark:$D/feats.cm2.ark ark:out.ark && copy-feats ark:out.ark ark,t:out.txt &&
    cmp $D/feats.cm2.decompressed.txt out.txt && test "$(head -c 16 out.ark | tail -c 3)" = "FM "
'
test_expect_success 'compress into ark,scp: bytes and offsets; read back through the scp' '
    copy-feats --compress=true ark:$D/src.ark ark,scp:feats.cm.ark,feats.cm.scp &&
    cmp $D/feats.cm.ark feats.cm.ark && cmp $D/feats.cm.scp feats.cm.scp &&
    copy-feats scp:feats.cm.scp ark,t:out.txt && cmp $D/feats.cm1.decompressed.txt out.txt
'
test_expect_success 'scp ranges (rows, columns, both) as Kaldi' '
    cp $D/feats.ark $D/ranges.scp . && copy-feats scp:ranges.scp ark,t:out.txt 2>log &&
    cmp $D/ranges.txt.ark out.txt && grep -q "Copied 3 feature matrices." log
'
test_expect_success 'copy-matrix of a DM file (global CMVN stats) as Kaldi text' '
    copy-matrix --binary=false $D/cmvn.global.mat out.txt 2>log && cmp $D/cmvn.global.txt out.txt &&
    grep -q "Copied matrix to out.txt" log
'
test_expect_success 'copy-matrix of a DM table reads as float (549.6721, io.md 7.1)' '
    copy-matrix --binary=false ark:$D/cmvn.bin.ark ark,t:out.txt 2>log &&
    cmp $D/cmvn.copy.txt.ark out.txt && grep -q "Copied 4 matrices." log
'
test_expect_success 'feat-to-len text and binary tables' '
    feat-to-len ark:$D/src.ark ark,t:len.txt && cmp $D/len.txt.ark len.txt &&
    feat-to-len ark:$D/src.ark ark:len.bin && cmp $D/len.bin.ark len.bin
'
test_expect_success 'feat-to-dim to stdout' '
    feat-to-dim ark:$D/src.ark - >dim.txt && cmp $D/dim.txt dim.txt
'
test_expect_success 'featproc: feat-to-len on 12 MFCC utterances' '
    feat-to-len ark:$P/feats.ark ark,t:out.txt && cmp $P/feat-to-len.txt out.txt
'
test_expect_success 'featproc: subset-feats --n=2' '
    subset-feats --n=2 ark:$P/feats.ark ark,t:out.txt && cmp $P/subset-feats.n2.txt out.txt
'
test_expect_success 'featproc: paste-feats of an archive with itself, Kaldi log line' '
    paste-feats ark:$P/feats.ark ark:$P/feats.ark ark,t:out.txt 2>log &&
    cmp $P/paste-feats.txt out.txt && grep -q "Done 12 utts, errors on 0$" log
'
test_expect_success 'featproc: copy-feats --write-num-frames' '
    copy-feats --write-num-frames=ark,t:nf.txt ark:$P/feats.ark ark:/dev/null &&
    cmp $P/num-frames.txt nf.txt
'

# ---- bad input: a clean ERROR line naming what failed and exit 255, never a signal ----
test_expect_error 'truncated binary archive' 'unexpected end of file|error detected closing archive' \
    sh -c 'head -c 5000 $D/src.ark >tr.ark && copy-feats ark:tr.ark ark:o.ark'
test_expect_error 'truncated compressed archive' 'compressed matrix data|error detected closing archive' \
    sh -c 'head -c 9000 $D/feats.cm2.ark >tr.ark && copy-feats ark:tr.ark ark:o.ark'
test_expect_error 'garbage instead of an archive' 'Error constructing TableReader: rspecifier is ark:g.ark' \
    sh -c 'printf garbage >g.ark && copy-feats ark:g.ark ark:o.ark'
test_expect_error 'wrong type marker (FV where a matrix is expected)' 'Expected token FM, got FV' \
    sh -c 'printf "u1 \000BFV \004\002\000\000\000\000\000\000\000\000\000\000\000" >fv.ark && copy-feats ark:fv.ark ark:o.ark'
test_expect_error 'unknown compressed token' 'expected token CM, CM2 or CM3, got .CM9' \
    sh -c 'printf "u1 \000BCM9 xxxxxxxxxxxxxxxx" >c.ark && copy-feats ark:c.ark ark:o.ark'
test_expect_error 'bad range (one column past the end)' 'Invalid range specifier: 0:3,0:40 for matrix of size 28x40' \
    sh -c 'echo "u1 $D/feats.ark:11[0:3,0:40]" >r.scp && copy-feats scp:r.scp ark:o.ark'
test_expect_error 'bad range (syntax)' 'Invalid range specifier: 3-7' \
    sh -c 'echo "u1 $D/feats.ark:11[3-7]" >r.scp && copy-feats scp:r.scp ark:o.ark'
test_expect_error 'missing scp target' 'nothere.ark' \
    sh -c 'echo "u1 nothere.ark:11" >m.scp && copy-feats scp:m.scp ark:o.ark'
test_expect_error 'text matrix with inconsistent rows' 'inconsistent #cols' \
    sh -c 'printf "u1 [ 1 2\n 3 ]\n" >t.ark && copy-feats ark:t.ark ark:o.ark'
test_expect_success 'range 3 rows past the end is clipped with Kaldi warning' '
    echo "u1 $D/feats.ark:11[25:30]" >r.scp && copy-feats scp:r.scp ark,t:o.txt 2>log &&
    grep -q "Row range 25:30 goes beyond the number of rows of the matrix 28" log &&
    test $(wc -l <o.txt) = 4
'
test_done
