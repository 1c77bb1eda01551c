# lib.sh — git-style shell tests producing TAP (sourced by tests/tools/*.t, tests/conformance/*.t).
#
#   #!/bin/sh
#   . "$(dirname "$0")/../tools/lib.sh"
#   test_expect_success 'copy-feats copies' '
#       copy-feats ark:$DATA/io/src.ark ark:out.ark &&
#       cmp out.ark $DATA/io/feats.bin.ark
#   '
#   test_expect_error 'bad option' "Invalid option --foo" copy-feats --foo a b
#   test_done
#
# Each test runs in a fresh scratch directory under tests/tmp/; PATH has featbin, nnetbin,
# bin and utils first; $DATA is tests/data (the copied conformance files). A test that cannot
# run says why with test_skip (a visible "# skip" line), never silently.

set -u
TOP=${SKALD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}   # SKALD_TOP: a copy of a test run from elsewhere
DATA=$TOP/tests/data
PATH=$TOP/featbin:$TOP/nnetbin:$TOP/bin:$TOP/utils:$PATH
export TOP DATA PATH LC_ALL=C
test_name=$(basename "$0" .t)
TMP_BASE=$TOP/tests/tmp/$test_name.$$
rm -rf "$TMP_BASE"
mkdir -p "$TMP_BASE"
test_count=0
test_failures=0
ORIG_DIR=$(pwd)

_new_scratch() {
    SCRATCH=$TMP_BASE/$test_count
    mkdir -p "$SCRATCH"
}

# test_expect_success DESC SCRIPT: SCRIPT (eval'ed in a scratch dir) must exit 0.
test_expect_success() {
    test_count=$((test_count + 1))
    _new_scratch
    if (cd "$SCRATCH" && eval "$2") >"$SCRATCH.log" 2>&1; then
        echo "ok $test_count - $1"
    else
        echo "not ok $test_count - $1"
        sed 's/^/# /' "$SCRATCH.log" | tail -n 40
        test_failures=$((test_failures + 1))
    fi
}

# test_skip DESC REASON: a visible skip.
test_skip() {
    test_count=$((test_count + 1))
    echo "ok $test_count # skip $1: $2"
}

# test_must_fail CMD...: CMD must exit non-zero but not by a signal (status > 128 except 255).
test_must_fail() {
    "$@"
    st=$?
    if [ $st -eq 0 ]; then
        echo "test_must_fail: command succeeded: $*" >&2
        return 1
    elif [ $st -gt 128 ] && [ $st -ne 255 ]; then
        echo "test_must_fail: command died by signal $((st - 128)): $*" >&2
        return 1
    fi
    return 0
}

# test_expect_error DESC PATTERN CMD...: CMD must fail cleanly and its stderr must contain an
# ERROR line matching PATTERN (grep -E).
test_expect_error() {
    desc=$1 pat=$2
    shift 2
    test_count=$((test_count + 1))
    _new_scratch
    (cd "$SCRATCH" && test_must_fail "$@" >"$SCRATCH.out" 2>"$SCRATCH.err") >"$SCRATCH.log" 2>&1
    st=$?
    if [ $st -eq 0 ] && grep -E "^ERROR \(" "$SCRATCH.err" | grep -Eq -- "$pat"; then
        echo "ok $test_count - $desc"
    else
        echo "not ok $test_count - $desc"
        { cat "$SCRATCH.log"; echo "-- stderr:"; cat "$SCRATCH.err"; } | sed 's/^/# /' | tail -n 40
        test_failures=$((test_failures + 1))
    fi
}

# test_cmp EXPECTED ACTUAL: files equal (diff shown on failure).
test_cmp() {
    diff -u "$1" "$2" >&2
}

# numdiff A B TOL: text files equal token by token, numbers within TOL * max(1, |a|).
# Prints the worst relative difference to stderr.
numdiff() {
    "$TOP/tests/tools/numdiff" "$@"
}

# gpu_why: why tests/gpu cannot run here (CUDA not compiled in, no GPU), or nothing.
gpu_why() {
    if ! nm "$TOP/nnetbin/nnet-train-frmshuff" 2>/dev/null | grep -q ' T sk_cuda_probe$'; then
        echo "CUDA not compiled in (CUDA=0 or no nvcc)"
    elif ! "$TOP/tests/gpu/have-gpu"; then
        echo "no CUDA device (nvidia-smi lists none)"
    fi
}

test_done() {
    echo "1..$test_count"
    if [ $test_failures -eq 0 ]; then
        rm -rf "$TMP_BASE"
        exit 0
    fi
    exit 1
}
