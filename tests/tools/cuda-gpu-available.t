#!/bin/sh
# cuda-gpu-available: Kaldi's exit status and messages in the three situations (CUDA not
# compiled in: 1; compiled in, no usable GPU: 255 with Kaldi's ERROR; GPU: 0 after a small
# computation checked against the CPU). Which one applies here is decided from the build
# (does the binary contain the CUDA backend?) and tests/gpu/have-gpu, never from the output.
. "$(dirname "$0")/lib.sh"

bin=$TOP/nnetbin/cuda-gpu-available
if nm "$bin" 2>/dev/null | grep -q ' T sk_cuda_probe$'; then built=yes; else built=no; fi
if "$TOP/tests/gpu/have-gpu"; then gpu=yes; else gpu=no; fi

test_expect_success 'prints the host line first' '
    { cuda-gpu-available 2> err; true; } &&
    grep -q "### IS CUDA GPU AVAILABLE? .$(hostname | cut -c1-99)" err
'
if [ $built = no ]; then
    test_expect_success 'CUDA not compiled in: exit 1 and says so' '
        { cuda-gpu-available 2> err; st=$?; } ; test $st = 1 &&
        grep -q "### CUDA WAS NOT COMPILED IN! ###" err
    '
elif [ $gpu = no ]; then
    test_expect_success 'no GPU: Kaldi ERROR line, exit 255, the advice block' '
        { CUDA_VISIBLE_DEVICES= cuda-gpu-available 2> err; st=$?; } ; test $st = 255 &&
        grep -q "^ERROR (cuda-gpu-available\[skald\]:main():cuda-gpu-available.c:[0-9]*) No CUDA GPU detected!" err &&
        grep -q "### WE DID NOT GET A CUDA GPU!!! ###" err && ! grep -q HURRAY err
    '
else
    test_expect_success 'GPU: exit 0 after the test computation' '
        cuda-gpu-available 2> err &&
        grep -q "### HURRAY, WE GOT A CUDA GPU FOR COMPUTATION!!! ##" err &&
        grep -q "### Test OK!" err
    '
    test_expect_success 'GPU hidden (CUDA_VISIBLE_DEVICES empty): exit 255' '
        { CUDA_VISIBLE_DEVICES= cuda-gpu-available 2> err; st=$?; } ; test $st = 255 &&
        grep -q "### WE DID NOT GET A CUDA GPU!!! ###" err
    '
fi
test_expect_success 'an argument is a usage error (exit 1)' '
    { cuda-gpu-available extra 2> err; st=$?; } ; test $st = 1 && grep -q "^Usage:" err
'
test_done
