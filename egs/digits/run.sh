#!/bin/bash
# run.sh — the digits recipe: real recordings (corpus/, FSDD, CC BY-SA 4.0) and the Kaldi GMM
# system trained on them (kaldi/: alignments, transition model, HCLG graph) -> fbank features
# + CMVN -> a DNN trained by skald with a newbob schedule -> priors -> lattice decoding of the
# held-out speaker -> WER. Runs on the CPU by default; --num-gpus N trains on N GPUs.
#
# Usage: egs/digits/run.sh [options]      (from anywhere; it works in its own folder)
# Options (defaults in brackets):
#   --stage N          start at stage N [0]: 0 data, 1 features, 2 targets, 3 nnet init,
#                      4 training, 5 priors, 6 decoding, 7 scoring
#   --num-gpus N       train on N GPUs [0 = CPU]      --num-threads N  CPU workers [1]
#   --hid-layers N [2]  --hid-dim N [256]  --learn-rate R [0.008]  --max-iters N [20]
#   --subset N         use only N utterances of each set (quick tests) [0 = all]
#   --nj N             parallel feature jobs [2]
#   --exp DIR          where everything is written [exp]
set -e -o pipefail
cd "$(dirname "$0")"
. ./path.sh

stage=0
num_gpus=0
num_threads=1
hid_layers=2
hid_dim=256
learn_rate=0.008
max_iters=20
subset=0
nj=2
exp=exp
. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected argument $1 (see --help)" >&2; exit 1; }

data=$exp/data
feats_dir=$exp/fbank
dnn=$exp/dnn
kaldi=kaldi
t_start=$(date +%s)
stage_header() { printf '\n== stage %s: %s   [%ds elapsed]\n' "$1" "$2" "$(( $(date +%s) - t_start ))"; }
die() { echo "$0: ERROR: $*" >&2; exit 1; }

# What the recipe needs, checked before any work.
for f in "$kaldi/tri1_ali/final.mdl" "$kaldi/tri1_ali/ali.1.gz" "$kaldi/tri1_ali_dev/ali.1.gz" \
         "$kaldi/graph/HCLG.fst" "$kaldi/graph/words.txt" conf/fbank.conf corpus/transcripts.txt; do
    [ -s "$f" ] || die "missing $f (the bundled Kaldi system or corpus is incomplete)"
done
for t in compute-fbank-feats compute-cmvn-stats copy-feats apply-cmvn nnet-initialize nnet-concat \
         cmvn-to-nnet nnet-forward nnet-train-frmshuff ali-to-pdf ali-to-post analyze-counts hmm-info \
         latgen-faster-mapped lattice-scale lattice-add-penalty lattice-best-path compute-wer; do
    command -v $t >/dev/null || die "skald tool $t not found: run 'make' in $SKALD_ROOT first"
done
mkdir -p "$exp"

if [ $stage -le 0 ]; then
    stage_header 0 "data directories"
    local/prepare_data.sh --subset $subset corpus $kaldi/split $data
    wc -l $data/*/wav.scp | sed '$d'
fi

if [ $stage -le 1 ]; then
    stage_header 1 "fbank features and per-speaker CMVN stats"
    mkdir -p $feats_dir
    for set in train dev test; do
        [ -s $data/$set/wav.scp ] || die "missing data dir $data/$set (run stage 0)"
        compute-fbank-feats --verbose=0 --config=conf/fbank.conf --num-threads=$nj \
            scp:$data/$set/wav.scp ark:- 2> $exp/fbank_$set.log |
            copy-feats --compress=true ark:- ark,scp:$feats_dir/raw_fbank_$set.ark,$data/$set/feats.scp \
            2>> $exp/fbank_$set.log || die "feature extraction failed for $set, see $exp/fbank_$set.log"
        compute-cmvn-stats --spk2utt=ark:$data/$set/spk2utt scp:$data/$set/feats.scp \
            ark,scp:$feats_dir/cmvn_$set.ark,$data/$set/cmvn.scp 2> $exp/cmvn_$set.log ||
            die "CMVN stats failed for $set, see $exp/cmvn_$set.log"
        utils/validate_data_dir.sh $data/$set
        echo "$set: $(wc -l < $data/$set/feats.scp) utterances, dim $(feat-to-dim --print-args=false scp:$data/$set/feats.scp - 2>/dev/null)"
    done
fi

# Feature pipelines (as steps/nnet/train.sh builds them): per-speaker mean normalisation.
cmvn_opts="--norm-means=true --norm-vars=false"
feats() { echo "ark:copy-feats scp:$data/$1/feats.scp ark:- | apply-cmvn $cmvn_opts --utt2spk=ark:$data/$1/utt2spk scp:$data/$1/cmvn.scp ark:- ark:- |"; }
# Training utterances in a fixed shuffled order (the frame randomizer shuffles within a buffer).
feats_tr="ark:copy-feats scp:$dnn/train.scp ark:- | apply-cmvn $cmvn_opts --utt2spk=ark:$data/train/utt2spk scp:$data/train/cmvn.scp ark:- ark:- |"
feats_cv=$(feats dev)
labels() { echo "ark:ali-to-pdf $kaldi/tri1_ali/final.mdl \"ark:gunzip -c $1/ali.*.gz |\" ark:- | ali-to-post ark:- ark:- |"; }
labels_tr=$(labels $kaldi/tri1_ali)
labels_cv=$(labels $kaldi/tri1_ali_dev)

if [ $stage -le 2 ]; then
    stage_header 2 "targets from the Kaldi alignments, class counts"
    [ -s $data/train/feats.scp ] || die "missing features (run stage 1)"
    mkdir -p $dnn/log
    perl -MList::Util=shuffle -e 'srand(777); print shuffle(<STDIN>)' < $data/train/feats.scp > $dnn/train.scp
    num_pdf=$(hmm-info --print-args=false $kaldi/tri1_ali/final.mdl | grep pdfs | awk '{ print $NF }')
    echo "$num_pdf" > $dnn/num_pdf
    analyze-counts --verbose=1 --binary=false --counts-dim=$num_pdf \
        "ark:ali-to-pdf $kaldi/tri1_ali/final.mdl \"ark:gunzip -c $kaldi/tri1_ali/ali.*.gz |\" ark:- |" \
        $dnn/ali_train_pdf.counts 2> $dnn/log/analyze_counts_pdf.log ||
        die "analyze-counts failed, see $dnn/log/analyze_counts_pdf.log"
    echo "pdfs: $num_pdf; training frames: $(awk '{ for (i = 2; i < NF; i++) s += $i } END { printf "%d", s }' $dnn/ali_train_pdf.counts)"
fi

if [ $stage -le 3 ]; then
    stage_header 3 "feature transform (splice +-5, global CMVN) and DNN initialisation"
    [ -s $dnn/num_pdf ] || die "missing targets (run stage 2)"
    num_pdf=$(cat $dnn/num_pdf)
    feat_dim=$(feat-to-dim --print-args=false "$feats_cv" - 2>/dev/null) || die "cannot read dev features"
    echo "<Splice> <InputDim> $feat_dim <OutputDim> $((11 * feat_dim)) <BuildVector> -5:5 </BuildVector>" > $dnn/splice.proto
    nnet-initialize --binary=false $dnn/splice.proto $dnn/splice.nnet 2> $dnn/log/splice.log
    nnet-forward --print-args=true $dnn/splice.nnet "$feats_tr" ark:- 2> $dnn/log/cmvn_glob.log |
        compute-cmvn-stats ark:- $dnn/cmvn-g.stats 2>> $dnn/log/cmvn_glob.log
    nnet-concat --binary=false $dnn/splice.nnet "cmvn-to-nnet --std-dev=1.0 $dnn/cmvn-g.stats -|" \
        $dnn/final.feature_transform 2> $dnn/log/feature_transform.log
    utils/make_nnet_proto.sh $((11 * feat_dim)) $num_pdf $hid_layers $hid_dim > $dnn/nnet.proto
    nnet-initialize --seed=777 $dnn/nnet.proto $dnn/nnet.init 2> $dnn/log/nnet_initialize.log
    echo "network: $((11 * feat_dim)) -> $hid_layers x $hid_dim sigmoid -> $num_pdf softmax"
fi

if [ $stage -le 4 ]; then
    stage_header 4 "DNN training (newbob schedule; $( [ $num_gpus -gt 0 ] && echo "$num_gpus GPU(s)" || echo "CPU, $num_threads worker(s)"))"
    [ -s $dnn/nnet.init ] || die "missing initial model (run stage 3)"
    utils/train_scheduler.sh --learn-rate $learn_rate --max-iters $max_iters \
        --num-gpus $num_gpus --num-threads $num_threads \
        --feature-transform $dnn/final.feature_transform \
        $dnn/nnet.init "$feats_tr" "$feats_cv" "$labels_tr" "$labels_cv" $dnn
    utils/plot_curve.sh $dnn/curve.tsv $dnn/training-curve.png && echo "training curve: $dnn/training-curve.png"
fi

if [ $stage -le 6 ]; then
    stage_header 5-6 "decoding the held-out speaker with the Kaldi graph"
    [ -s $dnn/final.nnet ] || die "missing trained model (run stage 4)"
    dec=$dnn/decode_test
    mkdir -p $dec/log
    nnet-forward --no-softmax=true --prior-scale=1.0 --feature-transform=$dnn/final.feature_transform \
        --class-frame-counts=$dnn/ali_train_pdf.counts $dnn/final.nnet "$(feats test)" ark:- \
        2> $dec/log/nnet_forward.log |
    latgen-faster-mapped --min-active=200 --max-active=7000 --max-mem=50000000 --beam=13.0 \
        --lattice-beam=8.0 --acoustic-scale=0.1 --allow-partial=true \
        --word-symbol-table=$kaldi/graph/words.txt $kaldi/tri1_ali/final.mdl $kaldi/graph/HCLG.fst \
        ark:- "ark:|gzip -c > $dec/lat.1.gz" 2> $dec/log/decode.log ||
        die "decoding failed, see $dec/log/decode.log"
    grep "Overall log-likelihood" $dec/log/decode.log | sed 's/^.*) //'
fi

if [ $stage -le 7 ]; then
    stage_header 7 "scoring"
    local/score.sh $data/test $kaldi/graph/words.txt $dnn/decode_test
    best=$(cat $dnn/decode_test/wer_* | grep WER | sort -n -k2 | head -n 1)
    kaldi_best=$(grep "exp/dnn/" $kaldi/RESULTS.kaldi | awk '{ print $2 }')
    {
        echo "# skald digits recipe: DNN ($hid_layers x $hid_dim sigmoid, fbank 40 x 11 frames), test speaker theo"
        echo "# best over LM weights 4-15 and word insertion penalties 0, 0.5, 1 (as Kaldi's RESULTS)"
        echo "$best"
        echo "# Kaldi nnet1 on the same split: %WER $kaldi_best"
        echo "# total time: $(( $(date +%s) - t_start )) s"
    } > $exp/RESULTS
    [ "$exp" = exp ] && cp $exp/RESULTS RESULTS
    cat $exp/RESULTS
fi
echo "done in $(( $(date +%s) - t_start )) s"
