#!/bin/sh
# The small nnet1 tools: transf-to-nnet, cmvn-to-nnet, nnet-set-learnrate, nnet-concat,
# feat-to-post, nnet-info.
. "$(dirname "$0")/lib.sh"

test_expect_success 'transf-to-nnet wraps a matrix as <LinearTransform> (text by default)' '
    printf "[\n 1 2 3\n 4 5 6 ]\n" >t.mat &&
    transf-to-nnet t.mat t.nnet 2>err && grep -q "Written transform in '"'"'nnet1'"'"' model: t.nnet" err &&
    grep -q "^<LinearTransform> 2 3 $" t.nnet &&
    printf "u1  [\n 1 0 0\n 0 1 1 ]\n" >f.txt && nnet-forward t.nnet ark,t:f.txt ark,t:y.txt 2>/dev/null &&
    printf "u1  [\n  1 4 \n  5 11 ]\n" >want && test_cmp want y.txt
'
test_expect_success 'cmvn-to-nnet: shift/scale from stats, variance floor warning' '
    printf "[\n 2 4 2\n 4 8 0 ]\n" >s.mat &&
    cmvn-to-nnet s.mat c.nnet 2>err &&
    grep -q "Very small variance 0 flooring to 1e-10" err &&
    grep -q "<AddShift> 2 2" c.nnet && grep -q "<LearnRateCoef> 0  \[ -1 -2 \]" c.nnet &&
    grep -q "<Rescale> 2 2" c.nnet && grep -q "\[ 1 100000 \]" c.nnet
'
test_expect_error 'cmvn-to-nnet rejects a stats matrix of the wrong shape' 'must be 2 x \(dim\+1\)' sh -c '
    printf "[\n 2 4 2 ]\n" >s.mat && cmvn-to-nnet s.mat c.nnet'
test_expect_success 'nnet-set-learnrate sets chosen components only' '
    printf "<AffineTransform> <InputDim> 2 <OutputDim> 2\n<Sigmoid> <InputDim> 2 <OutputDim> 2\n<AffineTransform> <InputDim> 2 <OutputDim> 2\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null &&
    nnet-set-learnrate --components=3 --coef=0.5 --bias-coef=0.1 m.nnet o.nnet 2>/dev/null &&
    nnet-copy --binary=false o.nnet o.txt 2>/dev/null &&
    test "$(grep -c "<LearnRateCoef> 1 <BiasLearnRateCoef> 1 " o.txt)" = 1 &&
    test "$(grep -c "<LearnRateCoef> 0.5 <BiasLearnRateCoef> 0.05 " o.txt)" = 1
'
test_expect_error 'nnet-set-learnrate: component index out of range' 'Bad component index' sh -c '
    printf "<Sigmoid> <InputDim> 2 <OutputDim> 2\n" >p && nnet-initialize p m.nnet 2>/dev/null &&
    nnet-set-learnrate --components=2 m.nnet o.nnet'
test_expect_error 'nnet-concat: dims must chain' 'Dimensionality mismatch' sh -c '
    printf "<Sigmoid> <InputDim> 2 <OutputDim> 2\n" >a && printf "<Sigmoid> <InputDim> 3 <OutputDim> 3\n" >b &&
    nnet-initialize a a.nnet 2>/dev/null && nnet-initialize b b.nnet 2>/dev/null &&
    nnet-concat a.nnet b.nnet c.nnet'
test_expect_success 'feat-to-post: every column becomes a (dim, value) pair' '
    printf "u1  [\n 0.5 0.25\n 1 0 ]\n" >f.txt &&
    feat-to-post ark,t:f.txt ark,t:p.txt 2>err && grep -q "Converted 1 alignments." err &&
    grep -q "^u1 \[ 0 0.5 1 0.25 \] \[ 0 1 1 0 \]" p.txt
'
test_expect_success 'nnet-info prints the structure to stdout, the log to stderr' '
    printf "<AffineTransform> <InputDim> 4 <OutputDim> 3\n<Softmax> <InputDim> 3 <OutputDim> 3\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null && nnet-info m.nnet >out 2>err &&
    grep -q "^num-components 2$" out && grep -q "^number-of-parameters 1.5e-05 millions$" out &&
    grep -q "^component 2 : <Softmax>, input-dim 3, output-dim 3, $" out &&
    grep -q "Printed info about m.nnet" err
'
test_done
