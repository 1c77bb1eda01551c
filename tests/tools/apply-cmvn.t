#!/bin/sh
# apply-cmvn: options and errors (conformance: tests/conformance/featproc.t).
. "$(dirname "$0")/lib.sh"

P=$DATA/feat/featproc

test_expect_success 'means only: per-column mean becomes 0; --norm-vars: every column mean 0, variance 1' '
    printf "u  [\n  1 10\n  3 20\n  5 60 ]\n" >f.txt &&
    compute-cmvn-stats ark,t:f.txt ark:s.ark &&
    apply-cmvn ark:s.ark ark,t:f.txt ark,t:m.txt &&
    printf "u  [\n  -2 -20\n  0 -10\n  2 30 ]\n" >exp.txt && numdiff exp.txt m.txt 1e-6 &&
    apply-cmvn --norm-vars=true ark:s.ark ark,t:f.txt ark,t:v.txt 2>err &&
    awk "NR>1 { gsub(/\\]/,\"\"); for (j = 1; j <= NF; j++) { s[j] += \$j * \$j; m[j] += \$j }; n++; d = NF }
         END { if (d != 2) exit 1; for (j = 1; j <= d; j++) if (s[j]/n < 0.999 || s[j]/n > 1.001 || m[j] > 1e-5 || m[j] < -1e-5) exit 1 }" v.txt &&
    grep -q "Applied cepstral mean and variance normalization to 1 utterances, errors on 0" err
'
test_expect_success '--reverse inverts the normalisation' '
    apply-cmvn --norm-vars=true ark:$P/cmvn.utt.ark ark:$P/feats.ark ark:n.ark &&
    apply-cmvn --reverse=true --norm-vars=true ark:$P/cmvn.utt.ark ark:n.ark ark,t:r.txt &&
    copy-feats ark:$P/feats.ark ark,t:orig.txt && numdiff orig.txt r.txt 1e-4
'
test_expect_success '--skip-dims leaves those dims untouched' '
    printf "u  [\n  1 10\n  3 20\n  5 60 ]\n" >f.txt && compute-cmvn-stats ark,t:f.txt ark:s.ark &&
    apply-cmvn --skip-dims=1 ark:s.ark ark,t:f.txt ark,t:m.txt &&
    printf "u  [\n  -2 10\n  0 20\n  2 60 ]\n" >exp.txt && numdiff exp.txt m.txt 1e-6
'
test_expect_success '--norm-means=false copies the input verbatim (compressed stays compressed)' '
    copy-feats --compress=true ark:$P/feats.ark ark:c.ark &&
    apply-cmvn --norm-means=false ark:$P/cmvn.utt.ark ark:c.ark ark:o.ark 2>err && cmp c.ark o.ark &&
    grep -q "Copied 12 utterances." err
'
test_expect_success 'missing stats: warning, no output for that utterance, exit 1 when none done' '
    printf "u  [\n  1 2 ]\n" >f.txt && printf "x  [\n  1 2 0\n  1 4 0 ]\n" >s.txt &&
    test_must_fail apply-cmvn ark,t:s.txt ark,t:f.txt ark,t:o.txt 2>err &&
    grep -q "No normalization statistics available for key u, producing no output for this utterance" err
'
test_expect_error 'dimension mismatch is fatal with Kaldi'"'"'s message' "Dim mismatch: cmvn 2x3, feats 1x3" \
    sh -c "printf \"u  [\n  1 2 3 ]\n\" >f.txt && printf \"u  [\n  1 2 1\n  1 4 0 ]\n\" >s.txt && apply-cmvn ark,t:s.txt ark,t:f.txt ark,t:o.txt"
test_expect_error 'count < 1 is fatal' "Insufficient stats for cepstral mean and variance normalization: count = 0.5" \
    sh -c "printf \"u  [\n  1 ]\n\" >f.txt && printf \"u  [\n  1 0.5\n  1 0 ]\n\" >s.txt && apply-cmvn ark,t:s.txt ark,t:f.txt ark,t:o.txt"
test_expect_error 'variance normalisation without variance stats' "You requested variance normalization but no variance stats are supplied." \
    sh -c "printf \"u  [\n  1 ]\n\" >f.txt && printf \"u  [\n  1 2 ]\n\" >s.txt && apply-cmvn --norm-vars=true ark,t:s.txt ark,t:f.txt ark,t:o.txt"
test_expect_error '--utt2spk with a stats file' "--utt2spk option not compatible with rxfilename as input" \
    apply-cmvn --utt2spk=ark:/dev/null $P/cmvn.global.mat ark:$P/feats.ark ark:/dev/null
test_expect_error 'bad --skip-dims' "Bad --skip-dims option" \
    apply-cmvn --skip-dims=1:x ark:$P/cmvn.utt.ark ark:$P/feats.ark ark:/dev/null
test_done
