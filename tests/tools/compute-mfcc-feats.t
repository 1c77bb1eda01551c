#!/bin/sh
# compute-mfcc-feats: wave input edge cases (shared by all compute-*-feats), each option's
# effect, exit statuses and Kaldi's messages.
. "$(dirname "$0")/lib.sh"

MK=$TOP/tests/tools/feat-mkwav
W=$DATA/feat/wav

# dims FILE.ark: "rows cols" of the first matrix
dims() { echo "$(feat-to-len ark:$1 ark,t:- | awk "{print \$2; exit}") $(feat-to-dim ark:$1 -)"; }

test_expect_success 'defaults: 13 ceps, 98 frames for 1 s at 16 kHz, Done line, exit 0' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-mfcc-feats scp:w.scp ark:o.ark 2>err &&
    test "$(dims o.ark)" = "98 13" &&
    grep -q "LOG (compute-mfcc-feats\[skald\]:.*)  Done 1 out of 1 utterances.$" err
'
test_expect_success 'output is NaN/inf-free, also on digital silence with --dither=0' '
    $MK >a.wav && $MK samples=8000 format=1 >/dev/null &&
    perl -e "print \"RIFF\", pack(\"V\", 36+32000), \"WAVEfmt \", pack(\"VvvVVvv\",16,1,1,16000,32000,2,16), \"data\", pack(\"V\",32000), \"\\0\" x 32000" >z.wav &&
    printf "u a.wav\nz z.wav\n" >w.scp &&
    compute-mfcc-feats --dither=0 scp:w.scp ark,t:o.txt &&
    compute-mfcc-feats --dither=0 --raw-energy=false --energy-floor=1 scp:w.scp ark,t:o2.txt &&
    ! grep -Eqi "nan|inf" o.txt o2.txt && grep -q "^z " o.txt
'
test_expect_success 'shorter than one frame: an empty matrix is written (as Kaldi), snip-edges=false gives 1 frame' '
    $MK samples=399 >s.wav && echo "s s.wav" >w.scp &&
    compute-mfcc-feats scp:w.scp ark,t:o.txt &&
    grep -q "^s  \[ \]" o.txt &&
    compute-mfcc-feats --snip-edges=false scp:w.scp ark:o.ark && test "$(dims o.ark)" = "2 13"
'
test_expect_error '0 samples (empty data chunk) is refused: WaveData: empty file' \
    "WaveData: empty file \(no data\)" \
    sh -c "$MK samples=0 >e.wav && echo \"e e.wav\" >w.scp && compute-mfcc-feats scp:w.scp ark:o.ark"
test_expect_success '8 kHz file with the 16 kHz default: Kaldi'"'"'s mismatch error, utterance skipped, exit 1' '
    $MK rate=8000 samples=8000 >a8.wav && echo "u a8.wav" >w.scp &&
    test_must_fail compute-mfcc-feats scp:w.scp ark:o.ark 2>err; test $? = 0 &&
    grep -q "Waveform and config sample Frequency mismatch: 8000 .vs 16000 (use --allow-upsample=true option to allow  upsampling the waveform)." err &&
    grep -q "Failed to compute features for utterance u" err &&
    grep -q "Done 0 out of 1 utterances." err
'
test_expect_success '16 kHz file with --sample-frequency=8000: downsample error; --allow-downsample resamples' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    test_must_fail compute-mfcc-feats --sample-frequency=8000 scp:w.scp ark:o.ark 2>err &&
    grep -q "use --allow-downsample=true to allow  downsampling the waveform" err &&
    compute-mfcc-feats --sample-frequency=8000 --allow-downsample=true scp:w.scp ark:o.ark &&
    test "$(dims o.ark)" = "98 13"
'
test_expect_success '8 kHz at --sample-frequency=8000: 98 frames (200-sample frames, 80 shift)' '
    $MK rate=8000 samples=8000 >a8.wav && echo "u a8.wav" >w.scp &&
    compute-mfcc-feats --sample-frequency=8000 scp:w.scp ark:o.ark && test "$(dims o.ark)" = "98 13"
'
test_expect_success 'stereo: warning and channel 0 by default; --channel=1 differs; --channel=2 skipped' '
    $MK channels=2 >st.wav && $MK >mono.wav && printf "s st.wav\n" >w.scp && printf "s mono.wav\n" >m.scp &&
    compute-mfcc-feats --dither=0 scp:w.scp ark,t:c0.txt 2>err &&
    grep -q "Channel not specified but you have data with 2 channels; defaulting to zero" err &&
    compute-mfcc-feats --dither=0 scp:m.scp ark,t:m.txt && cmp c0.txt m.txt &&
    compute-mfcc-feats --dither=0 --channel=1 scp:w.scp ark,t:c1.txt && ! cmp -s c0.txt c1.txt &&
    test_must_fail compute-mfcc-feats --channel=2 scp:w.scp ark:o.ark 2>err2 &&
    grep -q "File with id s has 2 channels but you specified channel 2, producing no output." err2
'
test_expect_success 'RIFX (big-endian) and WAVE_FORMAT_EXTENSIBLE PCM read like the plain file' '
    $MK >a.wav && $MK tag=RIFX >b.wav && $MK format=65534 >c.wav &&
    printf "u a.wav\n" >a.scp && printf "u b.wav\n" >b.scp && printf "u c.wav\n" >c.scp &&
    compute-mfcc-feats --dither=0 scp:a.scp ark:a.ark && compute-mfcc-feats --dither=0 scp:b.scp ark:b.ark &&
    compute-mfcc-feats --dither=0 scp:c.scp ark:c.ark && cmp a.ark b.ark && cmp a.ark c.ark
'
for spec in "bits=24:unsupported bits_per_sample = 24" "bits=8:unsupported bits_per_sample = 8" \
            "format=3 bits=32:can read only PCM data, format id in file is: 3" \
            "tag=XXXX:WaveData: expected RIFF or RIFX, got XXXX" \
            "truncate=30:WaveData: unexpected end of file or read error"; do
    args=${spec%%:*} msg=${spec#*:}
    test_expect_error "refused as Kaldi: $args" "$msg" \
        sh -c "$MK $args >x.wav && echo \"x x.wav\" >w.scp && compute-mfcc-feats scp:w.scp ark:o.ark"
done
test_expect_success 'truncated data: warning, the samples present are used' '
    $MK samples=16000 truncate=20044 >t.wav && echo "t t.wav" >w.scp &&
    compute-mfcc-feats scp:w.scp ark:o.ark 2>err &&
    grep -q "Expected 32000 bytes of wave data, but read only 20000 bytes. Truncated file?" err &&
    test "$(dims o.ark)" = "61 13"
'
test_expect_success 'a corrupt archive of waves: clean ERROR, non-zero exit, no crash' '
    $MK >a.wav && echo "u a.wav" >w.scp && wav-copy scp:w.scp ark:w.ark &&
    perl -pe "s/WAVEfmt/WAVXfmt/" w.ark >bad.ark &&
    test_must_fail compute-mfcc-feats ark:bad.ark ark:o.ark 2>err &&
    grep -q "^ERROR.*WaveData: expected WAVE, got WAVX" err &&
    head -c 5000 w.ark >short.ark &&
    compute-mfcc-feats ark:short.ark ark:o.ark 2>err2 && grep -q "Truncated file?" err2
'
if command -v flac >/dev/null 2>&1; then
test_expect_success 'FLAC through libsndfile (a plain file and a pipe) equals the WAV' '
    $MK >a.wav && flac -s -f -o a.flac a.wav &&
    printf "u a.wav\n" >a.scp && printf "u a.flac\n" >f.scp && printf "u cat a.flac |\n" >p.scp &&
    compute-mfcc-feats --dither=0 scp:a.scp ark:a.ark && compute-mfcc-feats --dither=0 scp:f.scp ark:f.ark &&
    compute-mfcc-feats --dither=0 scp:p.scp ark:p.ark && cmp a.ark f.ark && cmp a.ark p.ark
'
else
    test_skip 'FLAC through libsndfile' 'flac not installed'
fi
if command -v sox >/dev/null 2>&1; then
test_expect_success 'wav.scp with a sox pipe' '
    $MK rate=8000 samples=8000 >a8.wav && printf "u sox a8.wav -t wav -r 16000 - |\n" >w.scp &&
    compute-mfcc-feats scp:w.scp ark:o.ark && test "$(dims o.ark)" = "98 13"
'
else
    test_skip 'wav.scp with a sox pipe' 'sox not installed'
fi
test_expect_success 'options: --num-ceps, --use-energy, --htk-compat, --cepstral-lifter change the output as Kaldi' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-mfcc-feats --dither=0 --num-ceps=20 scp:w.scp ark:o.ark && test "$(dims o.ark)" = "98 20" &&
    compute-mfcc-feats --dither=0 scp:w.scp ark,t:e.txt &&
    compute-mfcc-feats --dither=0 --htk-compat=true scp:w.scp ark,t:h.txt &&
    test "$(sed -n 2p e.txt | awk "{print \$1}")" = "$(sed -n 2p h.txt | awk "{print \$13}")" &&
    compute-mfcc-feats --dither=0 --use-energy=false scp:w.scp ark,t:c0.txt && ! cmp -s e.txt c0.txt &&
    compute-mfcc-feats --dither=0 --cepstral-lifter=0 scp:w.scp ark,t:l.txt &&
    test "$(sed -n 2p e.txt | awk "{print \$1}")" = "$(sed -n 2p l.txt | awk "{print \$1}")" &&
    test "$(sed -n 2p e.txt | awk "{print \$5}")" != "$(sed -n 2p l.txt | awk "{print \$5}")"
'
test_expect_success 'options: --subtract-mean gives zero column means; --frame-shift/--frame-length change counts' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-mfcc-feats --subtract-mean=true scp:w.scp ark,t:o.txt &&
    awk "NR>1 { gsub(/\\]/, \"\"); for (i=1;i<=NF;i++) s[i]+=\$i; n++ } END { for (i=1;i<=13;i++) if (s[i]/n > 1e-3 || s[i]/n < -1e-3) exit 1 }" o.txt &&
    compute-mfcc-feats --frame-shift=20 scp:w.scp ark:o.ark && test "$(dims o.ark)" = "49 13" &&
    compute-mfcc-feats --frame-length=50 scp:w.scp ark:o.ark && test "$(dims o.ark)" = "96 13"
'
test_expect_success 'options: --vtln-warp and --vtln-map (+ --utt2spk) warp the mel banks' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-mfcc-feats --dither=0 scp:w.scp ark:o1.ark &&
    compute-mfcc-feats --dither=0 --vtln-warp=0.9 scp:w.scp ark:o2.ark && ! cmp -s o1.ark o2.ark &&
    echo "spk 0.9" >map && echo "u spk" >u2s &&
    compute-mfcc-feats --dither=0 --vtln-map=ark:map --utt2spk=ark:u2s scp:w.scp ark:o3.ark && cmp o2.ark o3.ark &&
    test_must_fail compute-mfcc-feats --vtln-map=ark:map scp:w.scp ark:o4.ark 2>err &&
    grep -q "No vtln-map entry for utterance-id (or speaker-id) u" err
'
test_expect_error '--utt2spk without --vtln-map is refused as Kaldi' \
    "The --utt2spk option is only needed if the --vtln-map option is used." \
    compute-mfcc-feats --utt2spk=ark:/dev/null scp:/dev/null ark:/dev/null
test_expect_error '--num-ceps larger than --num-mel-bins is refused' \
    "num-ceps cannot be larger than num-mel-bins" \
    compute-mfcc-feats --num-ceps=30 scp:/dev/null ark:/dev/null
test_expect_error 'bad --window-type is refused' "Invalid window type blackmann" \
    compute-mfcc-feats --window-type=blackmann scp:/dev/null ark:/dev/null
test_expect_error 'bad --output-format is refused' "Invalid output_format string foo" \
    compute-mfcc-feats --output-format=foo scp:/dev/null ark:/dev/null
test_expect_error 'bad --high-freq is refused' "Bad values in options: low-freq 20 and high-freq 9000 vs. nyquist 8000" \
    compute-mfcc-feats --high-freq=9000 scp:/dev/null ark:/dev/null
test_expect_success '--output-format=htk: big-endian header (rows, 100000, 52, MFCC_E) then the floats' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-mfcc-feats --output-format=htk scp:w.scp ark:o.htk &&
    test "$(head -c 14 o.htk | od -An -tx1 | tr -d " \n")" = "752000000062000186a000340046" &&
    test $(wc -c <o.htk) = $((2 + 12 + 98 * 13 * 4)) &&
    test_must_fail compute-mfcc-feats --output-format=htk scp:w.scp ark,t:o.txt
'
test_expect_success '--min-duration skips short files; --write-utt2dur writes durations' '
    $MK samples=8000 >h.wav && $MK >a.wav && printf "h h.wav\nu a.wav\n" >w.scp &&
    compute-mfcc-feats --min-duration=0.6 --write-utt2dur=ark,t:dur scp:w.scp ark:o.ark 2>err &&
    grep -q "File: h is too short (0.5 sec): producing no output." err &&
    test "$(cat dur)" = "u 1 " && test "$(feat-to-len ark:o.ark)" = 98
'
test_expect_success '--num-threads=4 and dither: same output as one thread' '
    $MK samples=48000 >a.wav && $MK samples=20000 >b.wav && printf "a a.wav\nb b.wav\n" >w.scp &&
    compute-mfcc-feats scp:w.scp ark:1.ark && compute-mfcc-feats --num-threads=4 scp:w.scp ark:4.ark &&
    cmp 1.ark 4.ark
'
test_expect_success 'wrong number of arguments: usage, exit 1' '
    compute-mfcc-feats scp:w.scp 2>err; test $? = 1 && grep -q "Usage:  compute-mfcc-feats" err
'
test_done
