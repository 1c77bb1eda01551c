#!/bin/sh
# Conformance on Kaldi's real feature outputs (data/kaldi-feature-references): fbank written by
# compute-fbank-feats as ark,scp, compressed by Kaldi's copy-feats (genuine, never-compressed
# features, so the CM percentile/rounding rules are really exercised), and text archives of
# fbank, MFCC and spectrogram (tiny and negative values) rewritten text-identically.
. "$(dirname "$0")/../tools/lib.sh"
K=$DATA/io/kaldi-features

test_expect_success 'fbank ark,scp rewritten byte-identical with the same offsets' '
    cp $K/fbank-16k-default.ark . && copy-feats ark:fbank-16k-default.ark ark,scp:o.ark,o.scp &&
    cmp $K/fbank-16k-default.ark o.ark &&
    sed "s/ o.ark:/ fbank-16k-default.ark:/" o.scp >o2.scp && cmp $K/fbank-16k-default.scp o2.scp
'
test_expect_success 'binary fbank printed as text equals Kaldi text output' '
    copy-feats ark:$K/fbank-16k-default.ark ark,t:o.txt && cmp $K/fbank-16k-default.ark.txt o.txt
'
test_expect_success 'copy-feats --compress=true (method 1, CM) writes Kaldi bytes and scp' '
    cp $K/fbank-16k-default.ark . &&
    copy-feats --compress=true ark:fbank-16k-default.ark ark,scp:fbank-16k-default.compressed.ark,fbank-16k-default.compressed.scp &&
    cmp $K/fbank-16k-default.compressed.ark fbank-16k-default.compressed.ark &&
    cmp $K/fbank-16k-default.compressed.scp fbank-16k-default.compressed.scp
'
test_expect_success 'reading through the compressed scp equals reading the archive' '
    cp $K/fbank-16k-default.compressed.ark $K/fbank-16k-default.compressed.scp . &&
    copy-feats scp:fbank-16k-default.compressed.scp ark,t:a.txt &&
    copy-feats ark:fbank-16k-default.compressed.ark ark,t:b.txt && cmp a.txt b.txt
'
for t in fbank-16k-default spectrogram-8k-default mfcc-8k-default; do
    test_expect_success "$t.ark.txt: text -> text and text -> binary -> text identical" "
        copy-feats ark:\$K/$t.ark.txt ark,t:o.txt && cmp \$K/$t.ark.txt o.txt &&
        copy-feats ark:\$K/$t.ark.txt ark:o.ark && copy-feats ark:o.ark ark,t:o2.txt &&
        cmp \$K/$t.ark.txt o2.txt
    "
done
test_done
