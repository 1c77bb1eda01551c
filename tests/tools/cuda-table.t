#!/bin/sh
# The CUDA backend registers every entry of struct sk_backend (lib/compute/backend.h): a
# source check that runs without a GPU, so a new backend.h entry without a CUDA kernel fails
# CI here instead of at backend creation on a GPU machine (backend.cu checks there too).
. "$(dirname "$0")/lib.sh"

test_expect_success 'every function entry of sk_backend is set by lib/compute/cuda' '
    sed -n "/^struct sk_backend {/,/^};/p" "$TOP/lib/compute/backend.h" |
        grep -o "(\*[a-z_0-9]*)" | tr -d "(*)" | sort -u > entries &&
    test -s entries &&
    cat "$TOP"/lib/compute/cuda/*.cu | grep -o "be->[a-z_0-9]* = " |
        sed "s/be->//; s/ = //" | sort -u > registered &&
    comm -23 entries registered > missing &&
    { test ! -s missing || { echo "not registered by the CUDA backend:"; cat missing; false; }; }
'
test_done
