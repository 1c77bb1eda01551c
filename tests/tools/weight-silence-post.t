#!/bin/sh
# weight-silence-post: scale or drop silence posteriors, per entry or per frame (--distribute).
. "$(dirname "$0")/lib.sh"
D=$DATA/ali
SIL=1:2:3:4:5

test_expect_success 'weight 0 empties exactly the silence frames' '
    ali-to-post ark:$D/ali.ark ark:tid.post &&
    weight-silence-post 0.0 $SIL $D/final.mdl ark:tid.post ark,t:out 2>err &&
    grep -q ") Done 120 posteriors\.$" err &&
    ali-to-phones --per-frame=true $D/final.mdl ark:$D/ali.ark ark,t:pf &&
    awk "{for (i = 2; i <= NF; i++) n += (\$i > 5)} END {print n}" pf >exp &&
    grep -o "\[ [0-9]* 1 \]" out | wc -l | tr -d " " >got && test_cmp exp got &&
    awk "{for (i = 2; i <= NF; i++) n += (\$i <= 5)} END {print n}" pf >exp0 &&
    grep -o "\[ \]" out | wc -l | tr -d " " >got0 && test_cmp exp0 got0
'
test_expect_success 'weight 0.5 scales silence entries only' '
    printf "u [ 2 1 ] [ 1135 1 ] [ 2 0.5 1135 0.5 ] \n" >in &&
    weight-silence-post 0.5 $SIL $D/final.mdl ark:in ark,t:out &&
    printf "u [ 2 0.5 ] [ 1135 1 ] [ 2 0.25 1135 0.5 ] \n" >exp && test_cmp exp out
'
test_expect_success '--distribute scales whole frames by the silence share' '
    printf "u [ 2 0.5 1135 0.5 ] [ 2 1 ] [ 1135 1 ] [ ] \n" >in &&
    weight-silence-post --distribute=true 0.0 $SIL $D/final.mdl ark:in ark,t:out &&
    printf "u [ 2 0.25 1135 0.25 ] [ ] [ 1135 1 ] [ ] \n" >exp && test_cmp exp out
'
test_expect_success 'no silence phones: warning, posteriors unchanged' '
    printf "u [ 2 1 ] \n" >in &&
    weight-silence-post 0.0 "" $D/final.mdl ark:in ark,t:out 2>err &&
    grep -q "WARNING .*No silence phones, this will have no effect" err && test_cmp in out
'
test_expect_error 'bad silence weight' 'Invalid silence-weight parameter: expected float, got "abc"' \
    weight-silence-post abc $SIL $D/final.mdl ark:/dev/null ark:/dev/null
test_expect_error 'bad silence phone list' 'Invalid silence-phones string 1:x' \
    weight-silence-post 0.0 1:x $D/final.mdl ark:/dev/null ark:/dev/null
test_expect_error 'transition-id out of range' 'Transition-id 99999 at frame 0 of utterance u' \
    sh -c "printf \"u [ 99999 1 ]\n\" >in && weight-silence-post 0 1 $D/final.mdl ark:in ark:/dev/null"
test_done
