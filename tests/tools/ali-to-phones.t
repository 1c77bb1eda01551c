#!/bin/sh
# ali-to-phones: phone sequences, per-frame phones, lengths and CTM.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

# george_0_10 opens with SIL (tids 2 1 ... 17 17, 21 frames: phone 1) then Z_B (phone 78).
test_expect_success 'phone sequence, per-frame, lengths agree with each other' '
    ali-to-phones $D/final.mdl ark:$D/ali.ark ark,t:seq &&
    ali-to-phones --per-frame=true $D/final.mdl ark:$D/ali.ark ark,t:pf &&
    ali-to-phones --write-lengths=true $D/final.mdl ark:$D/ali.ark ark,t:len &&
    test_cmp $D/ali-to-phones.txt seq && test_cmp $D/ali-to-phones.per-frame.txt pf &&
    test_cmp $D/ali-to-phones.lengths.txt len &&
    awk "{n=0; for(i=2;i<=NF;i++) if (\$i!=\";\" && (i-2)%3==1) n+=\$i; print \$1, n}" len >n1 &&
    awk "{print \$1, NF-1}" pf >n2 && test_cmp n2 n1
'
test_expect_success 'CTM: default frame shift prints 3 decimals, 0.02 prints 2' '
    ali-to-phones --ctm-output=true $D/final.mdl ark:$D/ali.ark - >c1 &&
    ali-to-phones --ctm-output=true --frame-shift=0.02 $D/final.mdl ark:$D/ali.ark - >c2 &&
    head -n 2 c1 >h1 && printf "george_0_10 1 0.000 0.210 1\ngeorge_0_10 1 0.210 0.210 78\n" >e1 &&
    test_cmp e1 h1 && head -n 1 c2 >h2 && printf "george_0_10 1 0.00 0.42 1\n" >e2 &&
    test_cmp e2 h2 && test_cmp $D/ali-to-phones.ctm c1 && test_cmp $D/ali-to-phones.fs02.ctm c2
'
test_expect_success 'CTM to a file; --frame-shift=0.001 prints 3 decimals' '
    ali-to-phones --ctm-output --frame-shift=0.001 $D/final.mdl ark:$D/ali.ark out.ctm &&
    head -n 1 out.ctm >h && printf "george_0_10 1 0.000 0.021 1\n" >e && test_cmp e h
'
test_expect_success 'non-reordered alignment splits at the final transition' '
    printf "u 1 1 2 5 8 17 17 18 2 1 8 18 \nv 2 1 8 18 17 17 2 8 18 \n" >a.txt &&
    ali-to-phones --write-lengths $D/final.mdl ark:a.txt ark,t:o &&
    printf "u 1 8 ; 1 4 \nv 1 6 ; 1 3 \n" >exp && test_cmp exp o
'
test_expect_error '--per-frame with --write-lengths' 'Incompatible options' \
    ali-to-phones --per-frame --write-lengths $D/final.mdl ark:$D/ali.ark ark:/dev/null
test_expect_error 'transition-id out of range' 'Transition-id 5000 at frame 2 of utterance u' \
    sh -c "printf \"u 2 1 5000\n\" >a.txt && ali-to-phones $D/final.mdl ark:a.txt ark,t:-"
test_expect_error 'self-loops of two different states side by side' 'adjacent self-loops' \
    sh -c "printf \"u 1 5\n\" >a.txt && ali-to-phones $D/final.mdl ark:a.txt ark,t:-"
test_done
