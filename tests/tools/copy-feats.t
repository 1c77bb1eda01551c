#!/bin/sh
# copy-feats: table and single-file modes, compression, --write-num-frames, pipes, errors.
. "$(dirname "$0")/lib.sh"
D=$DATA/io

mk() { printf 'u1 [\n  1 2 3 \n  4 5 6 ]\nu2 [\n  -0.5 1e-07 7 ]\n' >in.txt; }

test_expect_success 'text -> binary -> text round trip, log line' '
    mk && copy-feats ark:in.txt ark:b.ark 2>log && copy-feats ark:b.ark ark,t:back.txt &&
    printf "u1  [\n  1 2 3 \n  4 5 6 ]\nu2  [\n  -0.5 1e-07 7 ]\n" >exp.txt &&
    test_cmp exp.txt back.txt && grep -q "Copied 2 feature matrices." log
'
test_expect_success 'binary bytes of a 2x3 matrix (io.md 3 worked example)' '
    printf "u1 [ 1 2 3\n 4 5 6 ]\n" >in.txt && copy-feats ark:in.txt ark:b.ark &&
    head -c 18 b.ark | od -An -tx1 | tr -d " \n" >got && echo >>got &&
    echo "7531200042464d2004020000000403000000" | tr -d " " >exp && test_cmp exp got
'
test_expect_success 'single-file mode: --binary=false; binary header when binary' '
    mk && copy-feats "ark:in.txt" ark,scp:a.ark,a.scp &&
    copy-feats --binary=false a.ark:3 one.txt 2>log &&
    grep -q "Copied features from a.ark:3 to one.txt" log &&
    printf " [\n  1 2 3 \n  4 5 6 ]\n" >exp && test_cmp exp one.txt &&
    copy-feats one.txt one.bin && test "$(head -c 2 one.bin | od -An -c | tr -d " ")" = "\\0B"
'
test_expect_success 'input and output pipes' '
    mk && copy-feats "ark:cat in.txt |" "ark:| cat > out.ark" &&
    copy-feats ark:out.ark ark,t:- >out.txt && grep -q "^u2  \[" out.txt
'
test_expect_success '--compress writes CM (>8 rows) and CM2 (<=8 rows) with method 1' '
    copy-feats --compress=true ark:$D/src.ark ark:c.ark && test "$(head -c 16 c.ark | tail -c 3)" = "CM " &&
    mk && copy-feats --compress=true ark:in.txt ark:c2.ark && test "$(head -c 9 c2.ark | tail -c 4)" = "CM2 "
'
test_expect_success '--compress with text output writes the decompressed text matrix' '
    copy-feats --compress=true --compression-method=6 ark:$D/src.ark ark,t:c.txt &&
    copy-feats ark:$D/feats.cm6.ark ark,t:d.txt && test_cmp d.txt c.txt
'
test_expect_success '--write-num-frames writes an int32 table' '
    mk && copy-feats --write-num-frames=ark,t:nf ark:in.txt ark:/dev/null &&
    printf "u1 2 \nu2 1 \n" >exp && test_cmp exp nf
'
test_expect_success 'empty input: exit status 1' '
    : >empty.ark && test_expect_code=0; copy-feats ark:empty.ark ark:o.ark 2>log; test $? = 1 &&
    grep -q "Copied 0 feature matrices." log
'
test_expect_error '--write-num-frames in single-file mode' 'not supported when writing/reading single files' \
    sh -c 'printf "[ 1 ]\n" >m.txt && copy-feats --write-num-frames=ark:x m.txt o'
test_expect_error '--compression-method out of range' 'Invalid --compression-method=8' \
    copy-feats --compress=true --compression-method=8 ark:$D/src.ark ark:o.ark
test_expect_error '--compress of NaN data' "Cannot compress a matrix with Nan's or Inf's" \
    sh -c 'printf "u [ 1 nan ]\n" >n.txt && copy-feats --compress=true --compression-method=3 ark:n.txt ark:o.ark'
test_expect_error 'input pipe that fails' 'exited with status|error detected' \
    copy-feats "ark:cat $D/src.ark; exit 3 |" ark:o.ark
test_expect_error 'unknown option' 'Invalid option|nknown option' copy-feats --foo=1 ark:a ark:b
test_done
