#!/bin/sh
# compute-fbank-feats: dims and each option's effect (wave edge cases: compute-mfcc-feats.t).
. "$(dirname "$0")/lib.sh"

MK=$TOP/tests/tools/feat-mkwav
dims() { echo "$(feat-to-len ark:$1 ark,t:- | awk "{print \$2; exit}") $(feat-to-dim ark:$1 -)"; }
col() { sed -n "${2}p" "$1" | awk "{print \$$3}"; }   # FILE LINE FIELD

test_expect_success 'defaults: 23 log mel bins, no energy; Done line' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-fbank-feats scp:w.scp ark:o.ark 2>err && test "$(dims o.ark)" = "98 23" &&
    grep -q " Done 1 out of 1 utterances." err
'
test_expect_success '--use-energy adds a first column; --htk-compat moves it last' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-fbank-feats --dither=0 scp:w.scp ark,t:p.txt &&
    compute-fbank-feats --dither=0 --use-energy=true scp:w.scp ark,t:e.txt &&
    compute-fbank-feats --dither=0 --use-energy=true --htk-compat=true scp:w.scp ark,t:h.txt &&
    test "$(col e.txt 2 2)" = "$(col p.txt 2 1)" && test "$(col h.txt 2 24)" = "$(col e.txt 2 1)" &&
    test "$(col h.txt 2 1)" = "$(col p.txt 2 1)"
'
test_expect_success '--use-log-fbank=false gives exp of the log bins; --use-power=false the magnitude' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-fbank-feats --dither=0 scp:w.scp ark,t:l.txt &&
    compute-fbank-feats --dither=0 --use-log-fbank=false scp:w.scp ark,t:n.txt &&
    perl -e "exit(abs(log($(col n.txt 2 5)) - $(col l.txt 2 5)) < 1e-4 ? 0 : 1)" &&
    compute-fbank-feats --dither=0 --use-power=false scp:w.scp ark,t:m.txt &&
    test "$(col m.txt 2 5)" != "$(col l.txt 2 5)"
'
test_expect_success '--num-mel-bins, --low-freq, --high-freq (negative: offset from Nyquist)' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-fbank-feats --num-mel-bins=40 scp:w.scp ark:o.ark && test "$(dims o.ark)" = "98 40" &&
    compute-fbank-feats --dither=0 --high-freq=-400 scp:w.scp ark,t:a.txt &&
    compute-fbank-feats --dither=0 --high-freq=7600 scp:w.scp ark,t:b.txt && cmp a.txt b.txt &&
    compute-fbank-feats --dither=0 --low-freq=300 scp:w.scp ark,t:c.txt && ! cmp -s a.txt c.txt
'
test_expect_success 'every window type is accepted and changes the output' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    for t in hamming hanning povey rectangular sine blackman; do
        compute-fbank-feats --dither=0 --window-type=$t scp:w.scp ark,t:$t.txt || exit 1
    done &&
    test $(cat *.txt | md5sum | cut -c1-8) != x && test $(for t in hamming hanning povey rectangular sine blackman; do md5sum <$t.txt; done | sort -u | wc -l) = 6
'
test_expect_success '--dither, --remove-dc-offset, --preemphasis-coefficient, --round-to-power-of-two change the output' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-fbank-feats --dither=0 scp:w.scp ark:base.ark &&
    compute-fbank-feats scp:w.scp ark:d.ark && ! cmp -s base.ark d.ark &&
    compute-fbank-feats --dither=0 --remove-dc-offset=false scp:w.scp ark:dc.ark && ! cmp -s base.ark dc.ark &&
    compute-fbank-feats --dither=0 --preemphasis-coefficient=0 scp:w.scp ark:p.ark && ! cmp -s base.ark p.ark &&
    compute-fbank-feats --dither=0 --round-to-power-of-two=false scp:w.scp ark:r.ark && ! cmp -s base.ark r.ark
'
test_expect_success '--energy-floor floors the energy of silence at log(floor)' '
    perl -e "print \"RIFF\", pack(\"V\", 36+32000), \"WAVEfmt \", pack(\"VvvVVvv\",16,1,1,16000,32000,2,16), \"data\", pack(\"V\",32000), \"\\0\" x 32000" >z.wav &&
    echo "z z.wav" >w.scp &&
    compute-fbank-feats --dither=0 --use-energy=true --energy-floor=2 scp:w.scp ark,t:o.txt &&
    perl -e "exit(abs($(col o.txt 2 1) - log(2)) < 1e-5 ? 0 : 1)"
'
test_expect_error 'both --utt2spk and --vtln-map are refused (Kaldi quirk of this tool)' \
    "The --utt2spk option is only needed if the --vtln-map option is used." \
    compute-fbank-feats --utt2spk=ark:/dev/null --vtln-map=ark:/dev/null scp:/dev/null ark:/dev/null
test_expect_error 'fewer than 3 mel bins are refused' "Must have at least 3 mel bins" \
    compute-fbank-feats --num-mel-bins=2 scp:/dev/null ark:/dev/null
test_expect_success '--output-format=htk: FBANK kind 7 (plain) / 7|_E' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-fbank-feats --output-format=htk scp:w.scp ark:o.htk &&
    test "$(head -c 14 o.htk | od -An -tx1 | tr -d " \n")" = "752000000062000186a0005c2007" &&
    compute-fbank-feats --use-energy=true --output-format=htk scp:w.scp ark:e.htk &&
    test "$(head -c 14 e.htk | od -An -tx1 | tr -d " \n")" = "752000000062000186a000600047"
'
test_done
