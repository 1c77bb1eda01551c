#!/bin/sh
# copy-feats --htk-in=true: HTK feature entries (archives as --output-format=htk writes them,
# plain HTK files through scp) read as matrices; bad headers and truncated data are ERRORs.
. "$(dirname "$0")/lib.sh"
H=$DATA/feat/htk
MK=$TOP/tests/tools/feat-mkwav

# be32 N: 4 big-endian bytes as printf escapes; hdr ROWS PERIOD SIZE KIND: a 12-byte header.
be32() { printf '\\%03o\\%03o\\%03o\\%03o' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
be16() { printf '\\%03o\\%03o' $(($1 >> 8 & 255)) $(($1 & 255)); }
hdr() { printf "$(be32 $1)$(be32 $2)$(be16 $3)$(be16 $4)"; }
f1() { printf "$(be32 1065353216)"; }   # the float 1.0, big-endian

test_expect_success 'fbank: --output-format=htk then copy-feats --htk-in=true equals the Kaldi output' '
    $MK >a.wav && $MK >b.wav && printf "u1 a.wav\nu2 b.wav\n" >w.scp &&
    compute-fbank-feats --dither=0 scp:w.scp ark,t:k.txt &&
    compute-fbank-feats --dither=0 --output-format=htk scp:w.scp ark:h.ark &&
    copy-feats --htk-in=true ark:h.ark ark,t:r.txt 2>log &&
    grep -q "Copied 2 feature matrices." log && test_cmp k.txt r.txt
'
test_expect_success 'mfcc with energy: archive read through its scp (offsets), and --compress' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-mfcc-feats --dither=0 scp:w.scp ark:k.ark && copy-feats ark:k.ark ark,t:k.txt &&
    compute-mfcc-feats --dither=0 --output-format=htk scp:w.scp ark,scp:h.ark,h.scp &&
    grep -q "^u .*h.ark:2$" h.scp &&
    copy-feats --htk-in=true scp:h.scp ark,t:r.txt && test_cmp k.txt r.txt &&
    copy-feats --htk-in=true --compress=true scp:h.scp ark:c.ark &&
    copy-feats --compress=true ark:k.ark ark:kc.ark && cmp kc.ark c.ark
'
test_expect_success 'HCopy files through scp: 142 x 39, --write-num-frames' '
    printf "m1 $H/test.wav.fea_htk.1\nm2 $H/test.wav.fea_htk.2\n" >l.scp &&
    copy-feats --htk-in=true --write-num-frames=ark,t:nf scp:l.scp ark:f.ark &&
    printf "m1 142 \nm2 142 \n" >exp && test_cmp exp nf &&
    test "$(feat-to-dim ark:f.ark -)" = 39 &&
    test "$(head -c 12 $H/test.wav.fea_htk.1 | od -An -tx1 | tr -d " \n")" = "0000008e000186a0009c2306" &&
    test "$(head -c 12 $H/test.wav.fea_htk.2 | od -An -tx1 | tr -d " \n")" = "0000008e000186a0009c0346"
'
# HCopy wrote MFCC_0_D_A / MFCC_E_D_A: 13 statics, then HTK regression deltas (window 2) and
# accelerations, which add-deltas computes the same way (except the accelerations of the
# first and last 4 frames, where HTK pads the deltas differently): bytes, order and layout must
# all be right for these to agree.
test_expect_success 'HCopy files: columns 13-38 are the deltas of columns 0-12 (add-deltas)' '
    printf "m1 $H/test.wav.fea_htk.1\nm2 $H/test.wav.fea_htk.2\n" >l.scp &&
    copy-feats --htk-in=true scp:l.scp ark,scp:f.ark,f.scp &&
    select-feats 0-12 scp:f.scp ark:- | add-deltas ark:- ark,scp:d.ark,d.scp &&
    sed "s/\$/[0:141,13:25]/" f.scp >a1.scp && sed "s/\$/[0:141,13:25]/" d.scp >b1.scp &&
    copy-feats scp:a1.scp ark,t:a1.txt && copy-feats scp:b1.scp ark,t:b1.txt &&
    numdiff a1.txt b1.txt 1e-5 &&
    sed "s/\$/[4:137,26:38]/" f.scp >a2.scp && sed "s/\$/[4:137,26:38]/" d.scp >b2.scp &&
    copy-feats scp:a2.scp ark,t:a2.txt && copy-feats scp:b2.scp ark,t:b2.txt &&
    numdiff a2.txt b2.txt 1e-5 &&
    copy-feats --htk-in=true scp:l.scp ark,t:- | sed -n 2p | awk "{ if (\$13 < 50 || \$13 > 200) exit 1 }"
'
test_expect_success 'an empty HTK matrix (0 samples) and a _K checksum are accepted' '
    { printf "a "; hdr 0 100000 8 6; printf "b "; hdr 1 100000 4 $((6 | 010000)); f1; printf "\\0\\0"; } >x.ark &&
    copy-feats --htk-in=true ark:x.ark ark,t:o.txt && grep -q "^a  \[ \]" o.txt &&
    printf "b  [\n  1 ]\n" >exp && sed -n 2,3p o.txt >got && test_cmp exp got
'
mkbad() { # ROWS SIZE KIND [TRUNC]: entry a with one float of data
    { printf "a "; hdr $1 100000 $2 $3; f1; } >t.full &&
    if [ -n "${4-}" ]; then head -c $4 t.full >t.ark; else mv t.full t.ark; fi
}
# Each case builds its archive in the test's own scratch directory.
for c in "truncated header|Could not read header from HTK feature file|1 4 6 9" \
         "truncated data|sample 1 of 2 .* is truncated|2 4 6" \
         "sample size not a multiple of 4|sample size must be 4 \\* dim|1 6 6" \
         "negative sample size|sample size must be 4|1 65532 6" \
         "compressed parameter kind|does not support compressed features|1 4 1030" \
         "VQ parameter kind|or features with VQ|1 4 16390" \
         "waveform parameter kind|unsupported type|1 4 0" \
         "huge nSamples and little data fails on the data, not memory|is truncated|2000000000 40 6"; do
    desc=${c%%|*} rest=${c#*|} pat=${rest%%|*} args=${rest#*|}
    test_expect_success "$desc: ERROR, exit status 255" "
        mkbad $args && { copy-feats --htk-in=true ark:t.ark ark:o.ark 2>err; test \$? = 255; } &&
        grep -E '^ERROR \\(' err | grep -Eq '$pat'
    "
done
test_expect_error 'plain file with a short header, through scp' 'Could not read header' \
    sh -c 'printf "\\0\\0\\0\\1\\0\\1" >s.htk && echo "a s.htk" >s.scp && copy-feats --htk-in=true scp:s.scp ark:o'
test_expect_error '--sphinx-in is still refused' 'sphinx-in is not supported' \
    copy-feats --sphinx-in=true ark:/dev/null ark:/dev/null
test_done
