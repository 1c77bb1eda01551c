#!/bin/sh
# wav-copy: wave archives "KEY RIFF..." as Kaldi writes them, single-file mode.
. "$(dirname "$0")/lib.sh"

MK=$TOP/tests/tools/feat-mkwav

test_expect_success 'wav-copy scp -> ark: "KEY " then the RIFF bytes (no \0B), file copied exactly' '
    $MK samples=1000 >a.wav && $MK samples=500 >b.wav && printf "a a.wav\nb b.wav\n" >w.scp &&
    wav-copy scp:w.scp ark:w.ark 2>err && grep -q "Copied 2 wave files" err &&
    { printf "a "; cat a.wav; printf "b "; cat b.wav; } >exp.ark && cmp exp.ark w.ark
'
test_expect_success 'wav-copy single file mode, and EXTENSIBLE input is written as plain PCM' '
    $MK format=65534 samples=100 >x.wav && $MK samples=100 >p.wav &&
    wav-copy x.wav y.wav && cmp y.wav p.wav
'
test_done
