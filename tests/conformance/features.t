#!/bin/sh
# Conformance of compute-{fbank,mfcc,spectrogram}-feats with Kaldi's own outputs
# (tests/data/feat/ref, made by Kaldi f4007661 with the commands in ref/commands.txt, and the
# kaldifeat references). Every reference is checked twice: with the default FFT (FFTW) and with
# --kaldi-fft=true (Kaldi's own float FFT), each against its tolerance on
# max|ours - kaldi| / max(1, |kaldi|). Keys, row and column counts must match exactly (numdiff
# compares every token). The worst differences found are printed as TAP comments at the end.
. "$(dirname "$0")/../tools/lib.sh"

F=$DATA/feat
WORST=$TMP_BASE/worst.txt
: >"$WORST"

# scp files with absolute paths (the references' keys)
mkdir -p "$TMP_BASE/scp"
W=$F/wav
{
  for f in 0_george_0 2_yweweler_49 3_jackson_10 5_lucas_20 7_nicolas_30 9_theo_40; do echo "$f $W/$f.wav"; done
} >"$TMP_BASE/scp/wav-8k-fsdd.scp"
{
  echo "0_george_0 $W/0_george_0.wav"
  echo "0_0_0_0_1_1_1_1 $W/0_0_0_0_1_1_1_1.wav"
  echo "1_1_1_1_1_1_1_1 $W/1_1_1_1_1_1_1_1.wav"
  for f in 2_yweweler_49 3_jackson_10 5_lucas_20 7_nicolas_30 9_theo_40; do echo "$f $W/$f.wav"; done
} >"$TMP_BASE/scp/wav-8k.scp"
{
  echo "kaldi-test $W/kaldi-test.wav"
  echo "librispeech-1995-1837-0001 $W/librispeech-1995-1837-0001.wav"
  echo "sense_and_sensibility_01_austen_64kb-0880 $W/sense_and_sensibility_01_austen_64kb-0880.wav"
} >"$TMP_BASE/scp/wav-16k.scp"
grep -v librispeech "$TMP_BASE/scp/wav-16k.scp" >"$TMP_BASE/scp/wav-16k-short.scp"
echo "1 $F/kaldifeat/test.wav" >"$TMP_BASE/scp/kaldifeat.scp"

# check LABEL REF TOL TOOL OPTIONS... SCP: run the tool, compare with the gzipped reference
check() {
    label=$1 ref=$2 tol=$3 tool=$4
    shift 4
    gunzip -c "$ref" >ref.txt &&
    "$tool" "$@" ark,t:out.txt 2>err.log &&
    numdiff ref.txt out.txt "$tol" 2>nd.log
    st=$?
    cat err.log nd.log >&2
    printf '%s %s (tolerance %s)\n' \
        "$(sed -n 's/.*worst relative difference \([^ ]*\).*/\1/p' nd.log)" "$label" "$tol" >>"$WORST"
    return $st
}

# name tool scp options... (tolerances: default FFT / --kaldi-fft)
while read -r name tool scp tol_d tol_k opts; do
    test_expect_success "$name (default FFT, tol $tol_d)" "
        check \"$name default-fft\" $F/ref/$name.ark.txt.gz $tol_d $tool --dither=0 $opts scp:$TMP_BASE/scp/$scp.scp
    "
    test_expect_success "$name (--kaldi-fft, tol $tol_k)" "
        check \"$name kaldi-fft\" $F/ref/$name.ark.txt.gz $tol_k $tool --dither=0 --kaldi-fft=true $opts scp:$TMP_BASE/scp/$scp.scp
    "
done <<'LIST'
fbank-8k-default compute-fbank-feats wav-8k 1e-3 1e-5 --sample-frequency=8000
fbank-8k-nosnip compute-fbank-feats wav-8k 1e-3 1e-5 --sample-frequency=8000 --snip-edges=false
mfcc-8k-yesno-conf compute-mfcc-feats wav-8k 1e-3 1e-4 --sample-frequency=8000 --use-energy=false
mfcc-8k-default compute-mfcc-feats wav-8k 1e-3 1e-4 --sample-frequency=8000
spectrogram-8k-default compute-spectrogram-feats wav-8k-fsdd 2e-2 1e-5 --sample-frequency=8000
fbank-16k-default compute-fbank-feats wav-16k 1e-3 1e-5
fbank-16k-80bins-nosnip compute-fbank-feats wav-16k 2e-3 1e-5 --num-mel-bins=80 --snip-edges=false --low-freq=20 --high-freq=-400
fbank-16k-energy-htkcompat compute-fbank-feats wav-16k 1e-3 1e-5 --use-energy=true --htk-compat=true
fbank-16k-magnitude-linear-hamming compute-fbank-feats wav-16k-short 1e-3 1e-5 --use-power=false --use-log-fbank=false --window-type=hamming
mfcc-16k-librispeech-conf compute-mfcc-feats wav-16k 1e-3 1e-4 --use-energy=false
mfcc-16k-hires-conf compute-mfcc-feats wav-16k 1e-3 1e-4 --use-energy=false --num-mel-bins=40 --num-ceps=40 --low-freq=20 --high-freq=-400
mfcc-16k-variant compute-mfcc-feats wav-16k-short 1e-3 1e-5 --raw-energy=false --remove-dc-offset=false --preemphasis-coefficient=0.0 --window-type=hanning --cepstral-lifter=0
spectrogram-16k-default compute-spectrogram-feats wav-16k-short 2e-2 1e-5
LIST

# kaldifeat's references (Kaldi outputs for a synthetic sweep), key "1". They come from another
# Kaldi build: the shared data's README measured that build against the Kaldi of ref/ at up to
# 9e-4 (fbank), 6e-3 (mfcc) and 0.10 (spectrogram, near-empty bins of a pure tone) absolute, so
# the tolerances here are those of Kaldi against itself. With FFTW (default) the near-empty
# bins of a pure sine are pure rounding noise of a different FFT: log spectra differ by ~1 there.
while read -r name tool tol_d tol_k opts; do
    test_expect_success "kaldifeat $name (default FFT, tol $tol_d)" "
        check \"kaldifeat/$name default-fft\" $F/kaldifeat/$name.txt.gz $tol_d $tool --dither=0 $opts scp:$TMP_BASE/scp/kaldifeat.scp
    "
    test_expect_success "kaldifeat $name (--kaldi-fft, tol $tol_k)" "
        check \"kaldifeat/$name kaldi-fft\" $F/kaldifeat/$name.txt.gz $tol_k $tool --dither=0 --kaldi-fft=true $opts scp:$TMP_BASE/scp/kaldifeat.scp
    "
done <<'LIST'
test compute-fbank-feats 2e-2 1e-3
test-40 compute-fbank-feats 2e-2 1e-3 --num-mel-bins=40
test-40-no-snip-edges compute-fbank-feats 2e-2 1e-3 --num-mel-bins=40 --snip-edges=false
test-htk compute-fbank-feats 2e-2 1e-3 --use-energy=true --htk-compat=true
test-with-energy compute-fbank-feats 2e-2 1e-3 --use-energy=true
test-mfcc compute-mfcc-feats 6e-2 6e-3
test-mfcc-no-snip-edges compute-mfcc-feats 6e-2 6e-3 --snip-edges=false
test-spectrogram compute-spectrogram-feats 1.0 0.1
test-spectrogram-no-snip-edges compute-spectrogram-feats 1.0 0.1 --snip-edges=false
LIST

test_expect_success '--num-threads=3 gives the same archive as one thread, in order' '
    compute-mfcc-feats --dither=0 scp:$TMP_BASE/scp/wav-16k.scp ark:one.ark &&
    compute-mfcc-feats --dither=0 --num-threads=3 scp:$TMP_BASE/scp/wav-16k.scp ark:three.ark &&
    cmp one.ark three.ark &&
    compute-fbank-feats --sample-frequency=8000 --num-threads=2 scp:$TMP_BASE/scp/wav-8k.scp ark:d2.ark &&
    compute-fbank-feats --sample-frequency=8000 scp:$TMP_BASE/scp/wav-8k.scp ark:d1.ark &&
    cmp d1.ark d2.ark
'

sort -g -r "$WORST" | sed 's/^/# worst relative difference /'
test_done
