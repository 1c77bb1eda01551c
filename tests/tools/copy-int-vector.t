#!/bin/sh
# copy-int-vector: table and single-file modes, options, exit codes, bad input.
. "$(dirname "$0")/lib.sh"

test_expect_success 'table copy text -> binary -> text round trip' '
    printf "a 1 2 3 \nb \nc -7 \n" >in.txt &&
    copy-int-vector ark:in.txt ark:out.ark 2>log &&
    grep -q "Copied 3 vectors of int32." log &&
    copy-int-vector ark:out.ark ark,t:back.txt &&
    test_cmp in.txt back.txt
'
test_expect_success 'binary archive bytes (io.md 7.5)' '
    printf "u 5 7 \n" >in.txt &&
    copy-int-vector ark:in.txt ark:out.ark &&
    printf "u \000B\004\002\000\000\000\004\005\000\000\000\004\007\000\000\000" >exp.ark &&
    cmp exp.ark out.ark
'
test_expect_success 'ark,scp output and scp input with offsets' '
    printf "a 1 2 \nb 3 \n" >in.txt &&
    copy-int-vector ark:in.txt ark,scp:o.ark,o.scp &&
    printf "a o.ark:2\nb o.ark:21\n" >exp.scp &&
    test_cmp exp.scp o.scp &&
    copy-int-vector scp:o.scp ark,t:back.txt &&
    test_cmp in.txt back.txt
'
test_expect_success 'pipes in and out' '
    printf "a 1 2 \n" >in.txt &&
    copy-int-vector "ark:cat in.txt |" "ark,t:| cat > out.txt" &&
    test_cmp in.txt out.txt
'
test_expect_success 'single-file mode uses the [ ... ] vector form' '
    printf "[ 4 5 6 ]\n" >v.txt &&
    copy-int-vector v.txt v.bin 2>log &&
    grep -q "Copied vector to v.bin" log &&
    printf "\000B\004\003\000\000\000\004\000\000\000\005\000\000\000\006\000\000\000" >exp.bin &&
    cmp exp.bin v.bin &&
    copy-int-vector --binary=false v.bin v2.txt &&
    test_cmp v.txt v2.txt
'
test_expect_success 'empty input table exits 1' '
    : >empty.ark &&
    { copy-int-vector ark:empty.ark ark:o.ark 2>log; st=$?; } ; [ $st -eq 1 ] &&
    grep -q "Copied 0 vectors" log
'
test_expect_error 'mixing a table and a file' 'Cannot mix archives with regular files' \
    copy-int-vector ark:x.ark y.txt
test_expect_error 'truncated archive names the archive' 'error detected closing archive trunc.ark' \
    sh -c 'printf "a 1 2 \nb 3 4 \n" | copy-int-vector ark:- ark:t.ark && head -c 30 t.ark > trunc.ark && copy-int-vector ark:trunc.ark ark:o.ark'
test_expect_error 'garbage archive' 'Error constructing TableReader' \
    sh -c 'printf "a \000Bxyz" > g.ark && copy-int-vector ark:g.ark ark:o.ark'
test_expect_error 'failing input pipe' "Pipe 'cat x.txt; exit 3' exited with status 3" \
    sh -c 'printf "a 1\n" > x.txt && copy-int-vector "ark:cat x.txt; exit 3 |" ark:o.ark'
test_expect_error 'failing output pipe' "exited with status 2" \
    sh -c 'printf "a 1\n" > x.txt && copy-int-vector ark:x.txt "ark:| cat >/dev/null; exit 2"'
test_expect_error 'missing input file' 'no-such.ark' copy-int-vector ark:no-such.ark ark:o.ark
test_expect_error 'unknown option' 'Invalid option --foo' copy-int-vector --foo=1 ark:a ark:b
test_expect_success 'wrong number of arguments exits 1 with usage' '
    { copy-int-vector ark:a 2>log; st=$?; } ; [ $st -eq 1 ] && grep -q "^Usage: copy-int-vector" log
'
test_done
