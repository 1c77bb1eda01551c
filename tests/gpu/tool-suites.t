#!/bin/sh
# The training tools' own test suites once more on the GPU: tests/tools/nnet-train-frmshuff.t,
# nnet-train-perutt.t and tests/conformance/nnet1.t (Kaldi's epoch, within its tolerances)
# with every `--use-gpu=no` in them turned into `--use-gpu=yes`. Each suite must pass whole.
# Skips, saying why, without a GPU or without CUDA compiled in.
. "$(dirname "$0")/../tools/lib.sh"

why=$(gpu_why)
if [ -n "$why" ]; then
    echo "1..0 # skip $why"
    exit 0
fi

for f in tests/tools/nnet-train-frmshuff.t tests/tools/nnet-train-perutt.t \
         tests/conformance/nnet1.t; do
    test_expect_success "$f with --use-gpu=yes" "
        n=\$(grep -c -- '--use-gpu=no' $TOP/$f) && test \$n -ge 1 &&
        sed -e 's/--use-gpu=no/--use-gpu=yes/g' \
            -e 's|^\\. \"\$(dirname \"\$0\")/.*lib\\.sh\"|. \"\$SKALD_TOP/tests/tools/lib.sh\"|' \
            $TOP/$f > gpu-variant.t &&
        ! grep -q -- '--use-gpu=no' gpu-variant.t && grep -q 'SKALD_TOP/tests/tools/lib.sh' gpu-variant.t &&
        st=0 && { SKALD_TOP=$TOP sh gpu-variant.t > out 2>&1 || st=\$?; } &&
        { grep '^not ok' -A 12 out >&2; true; } &&
        test \$st = 0 && grep -q '^ok' out && ! grep -q '^not ok' out
    "
done
test_done
