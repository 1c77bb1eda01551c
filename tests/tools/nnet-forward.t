#!/bin/sh
# nnet-forward and the model readers: options, bad models and features.
. "$(dirname "$0")/lib.sh"

mk() {
    printf '<NnetProto>\n<AffineTransform> <InputDim> 3 <OutputDim> 2\n<Softmax> <InputDim> 2 <OutputDim> 2\n</NnetProto>\n' >p &&
    nnet-initialize p m.nnet 2>/dev/null &&
    printf 'u1  [\n 1 2 3\n 4 5 6 ]\n' >f.txt
}
test_expect_success 'softmax rows sum to 1; --no-softmax removes it; --apply-log gives logs' '
    mk && nnet-forward m.nnet ark,t:f.txt ark,t:y.txt 2>err &&
    awk "\$1 ~ /^[0-9]/ { s = \$1 + \$2; if (s < 0.9999 || s > 1.0001) bad = 1 } END { exit bad }" y.txt &&
    nnet-forward --no-softmax=true m.nnet ark,t:f.txt ark,t:z.txt 2>err &&
    grep -q "Removing <Softmax> from the nnet m.nnet" err &&
    nnet-forward --apply-log=true m.nnet ark,t:f.txt ark,t:l.txt 2>err &&
    grep -q "Done 1 files in" err &&
    awk "NR==2 { exit !(\$1 < 0 && \$2 < 0) }" l.txt
'
test_expect_error '--apply-log with --no-softmax' 'Cannot use both --apply-log=true --no-softmax=true' sh -c '
    printf "<AffineTransform> <InputDim> 3 <OutputDim> 2\n" >p && nnet-initialize p m.nnet 2>/dev/null &&
    nnet-forward --apply-log=true --no-softmax=true m.nnet ark:/dev/null ark,t:-'
test_expect_error 'NaN in features' 'NaN or inf found in features for u1' sh -c '
    printf "<AffineTransform> <InputDim> 3 <OutputDim> 2\n" >p && nnet-initialize p m.nnet 2>/dev/null &&
    printf "u1  [\n 1 nan 3 ]\n" >f.txt && nnet-forward m.nnet ark,t:f.txt ark,t:-'
test_expect_error 'features of the wrong dimension' 'Dimensionality mismatch' sh -c '
    printf "<AffineTransform> <InputDim> 4 <OutputDim> 2\n" >p && nnet-initialize p m.nnet 2>/dev/null &&
    printf "u1  [\n 1 2 3 ]\n" >f.txt && nnet-forward m.nnet ark,t:f.txt ark,t:-'
test_expect_error 'unknown component marker' "Unknown 'Component' marker : '<Sigmoidx>'" sh -c '
    printf "<Nnet>\n<Sigmoidx> 2 2\n<!EndOfComponent>\n</Nnet>\n" >m.nnet &&
    nnet-forward m.nnet ark:/dev/null ark,t:-'
test_expect_error 'truncated binary model' 'Failed to read the nnet1 model' sh -c '
    printf "<AffineTransform> <InputDim> 30 <OutputDim> 20\n" >p && nnet-initialize p m.nnet 2>/dev/null &&
    head -c 300 m.nnet >t.nnet && nnet-forward t.nnet ark:/dev/null ark,t:-'
# fuzz regression: a flipped byte in a binary vector header claimed 1426063364 elements and
# made the reader allocate 5.7 GB before failing; dims are now checked first
test_expect_error 'corrupt parameter dims are refused before allocating' 'bias is 1x1426063364, expected 1x4' sh -c '
    printf "<AffineTransform> <InputDim> 3 <OutputDim> 4
" >p && nnet-initialize p m.nnet 2>/dev/null &&
    perl -e "open F, \"+<m.nnet\"; binmode F; local \$/; \$d = <F>; \$i = index(\$d, \"FV \", 80);
             substr(\$d, \$i + 4, 4) = pack(\"V\", 1426063364); seek F, 0, 0; print F \$d;" &&
    nnet-copy m.nnet o.nnet'
test_expect_error 'implausible component dims are refused' 'Bad dimensions of component' sh -c '
    printf "<Nnet>
<AffineTransform> 100000 100000
" >m.nnet && nnet-copy m.nnet o.nnet'
test_expect_error 'consecutive dims must agree' 'Dimensionality mismatch! Previous layer output:2 Current layer input:3' sh -c '
    printf "<Nnet>\n<Sigmoid> 2 2\n<!EndOfComponent>\n<Tanh> 3 3\n<!EndOfComponent>\n</Nnet>\n" >m.nnet &&
    nnet-copy m.nnet o.nnet'
test_expect_error 'nan parameters are refused' "'nan' in network parameters" sh -c '
    printf "<Nnet>\n<AddShift> 2 2\n<LearnRateCoef> 0 [ 1 nan ]\n<!EndOfComponent>\n</Nnet>\n" >m.nnet &&
    nnet-copy m.nnet o.nnet'
test_expect_error 'unknown prototype option' 'Unknown token <Foo>, a typo in config' sh -c '
    printf "<AffineTransform> <InputDim> 3 <OutputDim> 2 <Foo> 1\n" >p && nnet-initialize p m.nnet'
test_expect_success 'nnet-copy removes components and sets dropout rates' '
    printf "<AffineTransform> <InputDim> 3 <OutputDim> 2\n<Dropout> <InputDim> 2 <OutputDim> 2 <DropoutRate> 0.2\n<Sigmoid> <InputDim> 2 <OutputDim> 2\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null &&
    nnet-copy --remove-first-components=1 --remove-last-components=1 --dropout-rate=0.4 m.nnet o.nnet 2>err &&
    grep -q "Setting dropout-rate in component 0 from 0.2 to 0.4" err &&
    nnet-info o.nnet >info 2>/dev/null && grep -q "^num-components 1$" info &&
    grep -q "<Dropout>, input-dim 2, output-dim 2, <DropoutRate> 0.4$" info
'
test_expect_success 'every component type survives text and binary round trips' '
    cat >p <<EOP &&
<AffineTransform> <InputDim> 12 <OutputDim> 12 <MaxNorm> 2
<LinearTransform> <InputDim> 12 <OutputDim> 12
<ParametricRelu> <InputDim> 12 <OutputDim> 12
<Tanh> <InputDim> 12 <OutputDim> 12
<LengthNormComponent> <InputDim> 12 <OutputDim> 12
<ConvolutionalComponent> <InputDim> 12 <OutputDim> 6 <PatchDim> 2 <PatchStep> 1 <PatchStride> 4
<MaxPoolingComponent> <InputDim> 6 <OutputDim> 4 <PoolSize> 2 <PoolStep> 1 <PoolStride> 2
<AddShift> <InputDim> 4 <OutputDim> 4 <InitParam> 0.5
<Rescale> <InputDim> 4 <OutputDim> 4 <InitParam> 2
<Copy> <InputDim> 4 <OutputDim> 4 <BuildVector> 4:-1:1 </BuildVector>
<AveragePoolingComponent> <InputDim> 4 <OutputDim> 2 <PoolSize> 2 <PoolStep> 1 <PoolStride> 2
<Splice> <InputDim> 2 <OutputDim> 6 <ReadVector> [ -1 0 1 ]
<HiddenSoftmax> <InputDim> 6 <OutputDim> 6
<BlockSoftmax> <InputDim> 6 <OutputDim> 6 <BlockDims> 2,4
EOP
    nnet-initialize --binary=false p m.txt 2>/dev/null && nnet-copy m.txt m.bin 2>/dev/null &&
    nnet-copy --binary=false m.bin m2.txt 2>/dev/null && cmp m.txt m2.txt &&
    nnet-copy m2.txt m2.bin 2>/dev/null && cmp m.bin m2.bin &&
    printf "u1  [\n 1 2 3 4 5 6 7 8 9 10 11 12\n 0 1 0 1 0 1 0 1 0 1 0 1 ]\n" >f.txt &&
    nnet-forward m.bin ark,t:f.txt ark,t:y.txt 2>/dev/null && test $(wc -l <y.txt) = 3
'
test_done
