#!/bin/sh
# ali-to-post: alignments -> posteriors with weight 1, any integer index.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

test_expect_success 'transition-id alignments to text posteriors' '
    ali-to-post ark:$D/ali.ark ark,t:out 2>err && test_cmp $D/ali-to-post.tid.txt out &&
    grep -q ") Converted 120 alignments\.$" err
'
test_expect_success 'hand-made: text and binary encodings' '
    printf "a 5 7\nb \n" >in.txt &&
    ali-to-post ark:in.txt ark,t:out.txt && ali-to-post ark:in.txt ark:out.bin &&
    printf "a [ 5 1 ] [ 7 1 ] \nb \n" >exp && test_cmp exp out.txt &&
    printf "a \0B\4\2\0\0\0\4\1\0\0\0\4\5\0\0\0\4\0\0\200\77\4\1\0\0\0\4\7\0\0\0\4\0\0\200\77b \0B\4\0\0\0\0" >exp.bin &&
    cmp exp.bin out.bin
'
test_expect_success 'no input: status 1' '
    : >empty && { ali-to-post ark:empty ark,t:out; test $? -eq 1; }
'
test_expect_error 'corrupt alignment archive' 'ERROR' \
    sh -c "head -c 100 $D/ali.ark >t.ark && ali-to-post ark:t.ark ark:/dev/null"
test_done
