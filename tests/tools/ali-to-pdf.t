#!/bin/sh
# ali-to-pdf: transition-ids -> pdf-ids; bad models and out-of-range ids fail cleanly.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

test_expect_success 'maps every frame to its pdf (text output, log line)' '
    ali-to-pdf $D/final.mdl ark:$D/ali.ark ark,t:out 2>err &&
    test_cmp $D/ali-to-pdf.txt out &&
    grep -q "^LOG (ali-to-pdf\[.*) Converted 120 alignments to pdf sequences\.$" err
'
test_expect_success 'binary archive output reads back to the same pdfs' '
    ali-to-pdf $D/final.mdl ark:$D/ali.ark ark:out.ark &&
    ali-to-post ark:out.ark ark,t:post && test_cmp $D/ali-to-post.txt post
'
test_expect_success 'hand-made alignment: first frames of george_0_10 are pdfs 0 and 66' '
    printf "u1 2 1 8 18\nu2 \n" >ali.txt &&
    ali-to-pdf $D/final.mdl ark:ali.txt ark,t:out &&
    printf "u1 0 0 66 53 \nu2 \n" >exp && test_cmp exp out
'
test_expect_error 'transition-id out of range' 'Transition-id 1179 at frame 1 of utterance u1' \
    sh -c "printf \"u1 2 1179 1\n\" >a.txt && ali-to-pdf $D/final.mdl ark:a.txt ark,t:-"
test_expect_error 'transition-id 0 is not valid' 'Transition-id 0 at frame 0' \
    sh -c "printf \"u1 0\n\" >a.txt && ali-to-pdf $D/final.mdl ark:a.txt ark,t:-"
test_expect_error 'a file that is not a transition model' 'Expected token "<TransitionModel>"' \
    ali-to-pdf $D/phones.txt ark:$D/ali.ark ark:/dev/null
test_expect_error 'truncated binary model' 'end of file' \
    sh -c "head -c 3000 $D/final.mdl >t.mdl && ali-to-pdf t.mdl ark:$D/ali.ark ark:/dev/null"
test_expect_error 'missing model file' 'final.nomdl' \
    ali-to-pdf final.nomdl ark:$D/ali.ark ark:/dev/null
test_expect_success 'wrong number of arguments: usage, status 1' '
    test_expect_code() { "$@"; test $? -eq 1; } &&
    test_expect_code ali-to-pdf $D/final.mdl 2>err && grep -q "^Usage:" err
'
test_done
