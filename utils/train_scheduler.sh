#!/bin/bash
# train_scheduler.sh — train an nnet1 model with the "newbob" learning-rate schedule:
# keep the rate while the cross-validation loss improves by at least --start-halving-impr
# (relative), then halve it every epoch, and stop once an epoch improves by less than
# --end-halving-impr. An epoch whose cv loss got worse is rejected (its model is dropped).
#
# Usage: utils/train_scheduler.sh [options] <mlp-init> <feats-tr> <feats-cv> <labels-tr> <labels-cv> <exp-dir>
#  e.g.: utils/train_scheduler.sh --learn-rate 0.008 exp/dnn/nnet.init "ark:..." "ark:..." "ark:..." "ark:..." exp/dnn
# Writes <exp-dir>/final.nnet, <exp-dir>/nnet/ (every accepted model), <exp-dir>/log/
# (iterNN.tr.log, iterNN.cv.log), and <exp-dir>/curve.tsv (epoch, learn rate, train and cv
# loss and frame accuracy: the data of the training-curve plot).
# Options:
#   --learn-rate R (0.008)  --momentum M (0)  --l1-penalty (0)  --l2-penalty (0)
#   --train-tool T (nnet-train-frmshuff)  --train-tool-opts "..."  --feature-transform F
#   --max-iters N (20)  --min-iters N (0)  --keep-lr-iters N (0)
#   --start-halving-impr X (0.01)  --end-halving-impr X (0.001)  --halving-factor X (0.5)
#   --num-gpus N (0: CPU)  --num-threads N (1)

learn_rate=0.008
momentum=0
l1_penalty=0
l2_penalty=0
train_tool=nnet-train-frmshuff
train_tool_opts="--minibatch-size=256 --randomizer-size=32768 --randomizer-seed=777"
feature_transform=
max_iters=20
min_iters=0
keep_lr_iters=0
start_halving_impr=0.01
end_halving_impr=0.001
halving_factor=0.5
num_gpus=0
num_threads=1
verbose=1

. "$(dirname "$0")/parse_options.sh" || exit 1
set -o pipefail

if [ $# -ne 6 ]; then
    sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 1
fi
mlp_init=$1 feats_tr=$2 feats_cv=$3 labels_tr=$4 labels_cv=$5 dir=$6
[ -f "$mlp_init" ] || { echo "$0: no initial model $mlp_init" >&2; exit 1; }
mkdir -p "$dir/log" "$dir/nnet"

opts="$train_tool_opts --verbose=$verbose"
[ -n "$feature_transform" ] && opts="$opts --feature-transform=$feature_transform"
# Kaldi's training tools default to --use-gpu=yes; the CPU is asked for explicitly.
if [ "$num_gpus" -gt 0 ] 2>/dev/null; then opts="$opts --use-gpu=yes --num-gpus=$num_gpus"
else opts="$opts --use-gpu=no"; fi
[ "$num_threads" -gt 1 ] 2>/dev/null && opts="$opts --num-threads=$num_threads"

# The last AvgLoss line's 4th field is the loss, as Kaldi's scheduler reads it.
get_loss() { grep "AvgLoss:" "$1" | tail -n 1 | awk '{ print $4 }'; }
get_acc() { grep "FRAME_ACCURACY" "$1" | tail -n 1 | sed 's/.*>> *\([0-9.eE+-]*\)%.*/\1/'; }
now() { date +%s.%N; }

start=$(now)
log=$dir/log/iter00.initial.log
$train_tool --cross-validate=true --randomize=false $opts "$feats_cv" "$labels_cv" "$mlp_init" \
    2> "$log" || { echo "$0: initial cross-validation failed, see $log" >&2; tail -n 5 "$log" >&2; exit 1; }
loss=$(get_loss "$log")
[ -n "$loss" ] || { echo "$0: no AvgLoss in $log" >&2; exit 1; }
printf "epoch  0: cv loss %.4f, frame accuracy %s%%\n" "$loss" "$(get_acc "$log")"
printf "epoch\tlearn_rate\ttr_loss\ttr_acc\tcv_loss\tcv_acc\taccepted\n" > "$dir/curve.tsv"
printf "0\t-\t-\t-\t%s\t%s\t1\n" "$loss" "$(get_acc "$log")" >> "$dir/curve.tsv"

mlp_best=$mlp_init
halving=0
for iter in $(seq -w $max_iters); do
    t0=$(now)
    mlp_next=$dir/nnet/nnet_iter${iter}
    log=$dir/log/iter${iter}.tr.log
    $train_tool --cross-validate=false --randomize=true $opts \
        --learn-rate=$learn_rate --momentum=$momentum --l1-penalty=$l1_penalty --l2-penalty=$l2_penalty \
        "$feats_tr" "$labels_tr" "$mlp_best" "$mlp_next" 2> "$log" \
        || { echo "$0: training epoch $iter failed, see $log" >&2; tail -n 5 "$log" >&2; exit 1; }
    tr_loss=$(get_loss "$log") tr_acc=$(get_acc "$log")
    log=$dir/log/iter${iter}.cv.log
    $train_tool --cross-validate=true --randomize=false $opts "$feats_cv" "$labels_cv" "$mlp_next" \
        2> "$log" || { echo "$0: cross-validation $iter failed, see $log" >&2; tail -n 5 "$log" >&2; exit 1; }
    loss_new=$(get_loss "$log") cv_acc=$(get_acc "$log")

    accept=$(awk -v a="$loss_new" -v b="$loss" -v i="$iter" -v k="$keep_lr_iters" 'BEGIN{ print (a < b || i + 0 <= k + 0) ? 1 : 0 }')
    printf "%d\t%s\t%s\t%s\t%s\t%s\t%s\n" "$((10#$iter))" "$learn_rate" "$tr_loss" "$tr_acc" "$loss_new" "$cv_acc" "$accept" >> "$dir/curve.tsv"
    loss_prev=$loss
    if [ "$accept" = 1 ]; then
        loss=$loss_new
        mlp_best=$mlp_next
        verdict=accepted
    else
        rm -f "$mlp_next"
        verdict=rejected
    fi
    printf "epoch %2d: lr %-10s train loss %.4f acc %6.2f%% | cv loss %.4f acc %6.2f%% | %-8s %5.1fs\n" \
        "$((10#$iter))" "$learn_rate" "$tr_loss" "$tr_acc" "$loss_new" "$cv_acc" "$verdict" \
        "$(awk -v a="$(now)" -v b="$t0" 'BEGIN{print a-b}')"

    [ "$((10#$iter))" -le "$keep_lr_iters" ] && continue
    rel_impr=$(awk -v a="$loss_prev" -v b="$loss" 'BEGIN{ print (a - b) / a }')
    if [ $halving = 1 ] && awk -v r="$rel_impr" -v e="$end_halving_impr" 'BEGIN{ exit !(r < e) }'; then
        if [ "$((10#$iter))" -lt "$min_iters" ]; then
            continue
        fi
        echo "finished: relative cv improvement $rel_impr < $end_halving_impr"
        break
    fi
    if awk -v r="$rel_impr" -v s="$start_halving_impr" 'BEGIN{ exit !(r < s) }'; then
        halving=1
    fi
    if [ $halving = 1 ]; then
        learn_rate=$(awk -v r="$learn_rate" -v f="$halving_factor" 'BEGIN{ printf "%g", r * f }')
    fi
done

[ "$mlp_best" != "$mlp_init" ] || { echo "$0: no epoch improved on the initial model" >&2; exit 1; }
cp "$mlp_best" "$dir/final.nnet"
printf "training done in %.0f s: final.nnet = %s (cv loss %.4f)\n" \
    "$(awk -v a="$(now)" -v b="$start" 'BEGIN{print a-b}')" "$(basename "$mlp_best")" "$loss"
