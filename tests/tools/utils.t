#!/bin/sh
# Recipe helpers in utils/: option parsing, data-dir checks, prototypes, the newbob scheduler
# (driven by a stand-in training tool that prints Kaldi's log lines), the drop-in checker.
. "$(dirname "$0")/lib.sh"

test_expect_success 'parse_options sets known variables and keeps the rest' '
    cat > s.sh <<\EOS &&
beam=13; num_gpus=0
. "$TOP/utils/parse_options.sh"
echo "$beam $num_gpus $# $1"
EOS
    out=$(sh s.sh --beam 10 --num-gpus 2 a b) &&
    test "$out" = "10 2 2 a"
'
test_expect_success 'parse_options refuses an unknown option' '
    printf "beam=1\n. \"%s/utils/parse_options.sh\"\n" "$TOP" > s.sh &&
    test_must_fail sh s.sh --bean 3 2> err && grep -q "unknown option --bean" err
'
test_expect_success 'make_nnet_proto: layers, dims, stddev 1/sqrt(fan-in) scaled' '
    make_nnet_proto.sh 440 136 2 256 > p &&
    test $(grep -c "<AffineTransform>" p) = 3 &&
    test $(grep -c "<Sigmoid> <InputDim> 256 <OutputDim> 256" p) = 2 &&
    grep -q "<AffineTransform> <InputDim> 256 <OutputDim> 256 .*<ParamStddev> 0.218750" p &&
    grep -q "<Softmax> <InputDim> 136 <OutputDim> 136" p &&
    head -n 1 p | grep -q "<NnetProto>" && tail -n 1 p | grep -q "</NnetProto>"
'
test_expect_success 'validate_data_dir accepts a good dir and names what is wrong' '
    mkdir d && printf "a x.wav\nb y.wav\n" > d/wav.scp && printf "a s\nb s\n" > d/utt2spk &&
    printf "s a b\n" > d/spk2utt && printf "a ONE\nb TWO\n" > d/text &&
    validate_data_dir.sh --no-feats d &&
    printf "b y.wav\na x.wav\n" > d/wav.scp &&
    test_must_fail validate_data_dir.sh --no-feats d 2> err && grep -q "wav.scp is not sorted" err &&
    rm d/text && test_must_fail validate_data_dir.sh --no-feats d 2> err && grep -q "text is missing" err
'
# A stand-in for nnet-train-frmshuff: the loss comes from a list, one per call, as Kaldi logs it.
make_fake_tool() {
    cat > fake-train <<\EOS
#!/bin/sh
n=$(cat calls 2>/dev/null || echo 0); n=$((n + 1)); echo $n > calls
echo "$*" >> args
loss=$(sed -n "${n}p" losses)
eval "last=\${$#} prev=\${$(($# - 1))}"
case "$*" in *--cross-validate=false*) cp "$prev" "$last" ;; esac
echo "LOG (nnet-train-frmshuff[skald]:main():x.c:1) AvgLoss: $loss (Xent), [AvgXent: $loss, AvgTargetEnt: 0]" >&2
echo "FRAME_ACCURACY >> 50% <<" >&2
EOS
    chmod +x fake-train
}
test_expect_success 'scheduler: newbob halving, rejection and stop' '
    make_fake_tool && echo init > init.nnet &&
    # cv0, then (tr, cv) per epoch: big gain, big gain, small gain (start halving),
    # worse: rejected, and with no gain while halving the schedule stops (as Kaldi)
    printf "%s\n" 2.0  1.5 1.0  1.0 0.8  0.9 0.795  0.9 0.9 > losses &&
    train_scheduler.sh --train-tool ./fake-train --learn-rate 0.01 init.nnet ftr fcv ltr lcv exp > out 2> err &&
    cat out &&
    grep -q "epoch  4: .*rejected" out && grep -q "^finished" out &&
    test -f exp/final.nnet &&
    awk -F"\t" "NR>1 {print \$1, \$2, \$7}" exp/curve.tsv > got &&
    printf "0 - 1\n1 0.01 1\n2 0.01 1\n3 0.01 1\n4 0.005 0\n" > want &&
    test_cmp want got && grep -q "final.nnet = nnet_iter03" out &&
    grep -q -- "--learn-rate=0.005" args && test "$(cat calls)" = 9
' 
test_expect_success 'scheduler: a failing training tool stops it with the log named' '
    printf "#!/bin/sh\necho boom >&2; exit 1\n" > bad && chmod +x bad && echo x > init.nnet &&
    test_must_fail train_scheduler.sh --train-tool ./bad init.nnet ftr fcv ltr lcv exp 2> err &&
    grep -q "initial cross-validation failed, see exp/log/iter00.initial.log" err
'
test_expect_success 'check-recipe lists provided and missing binaries' '
    mkdir -p r/local && printf "copy-feats ark:a ark:b\ngmm-est x y\n# nnet-forward in a comment\n" > r/run.sh &&
    test_must_fail "$TOP/egs/kaldi-dropin/check-recipe.sh" r > out &&
    grep -q "^missing  gmm-est" out && ! grep -q nnet-forward out &&
    grep -q "2 Kaldi binaries called" out
'
test_expect_success 'split_data: N parts by speaker, every utterance exactly once' '
    mkdir d && for s in a b c d e; do for i in 1 2 3; do echo "${s}_$i $s"; done; done > d/utt2spk &&
    echo "e_4 e" >> d/utt2spk && sort d/utt2spk -o d/utt2spk &&
    utt2spk_to_spk2utt.sh < d/utt2spk > d/spk2utt &&
    awk "{ print \$1, \"/x/\" \$1 \".wav\" }" d/utt2spk > d/wav.scp &&
    awk "{ print \$1, \"c.ark:\" NR }" d/spk2utt > d/cmvn.scp &&
    split_data.sh d 3 &&
    cat d/split3/*/utt2spk | sort > all && test_cmp d/utt2spk all &&
    cat d/split3/*/wav.scp | sort > allw && test_cmp d/wav.scp allw &&
    cat d/split3/*/cmvn.scp | sort > allc && sort d/cmvn.scp > wantc && test_cmp wantc allc &&
    for j in 1 2 3; do test -s d/split3/$j/spk2utt || exit 1; done &&
    # a speaker never spans two parts
    test $(cat d/split3/*/spk2utt | wc -l) = 5 &&
    test_must_fail split_data.sh d 6 2> err && grep -q "fewer than 6 jobs" err
'
test_done
