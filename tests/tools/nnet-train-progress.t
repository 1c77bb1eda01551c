#!/bin/sh
# nnet-train-frmshuff data-parallel (issue 7): the ProgressLoss lines are global. N workers
# (CPU threads, 2 MPI processes) print them where one worker with an N-times minibatch does,
# once (worker 0), with the sums of all workers (values within 1e-4); so is the --verbose
# "progress: [...]" vector. Also for multitask objectives, cross-validation and fractional
# utterance weights (the host's frame count that times the reports is then inexact).
. "$(dirname "$0")/lib.sh"

D=$DATA/nnet1
W=$TMP_BASE/data
mkdir -p "$W"
subset-feats --n=100 ark:$D/train.feats.ark ark:$W/feats.ark 2>/dev/null
# ~4000 frames: blocks of 500 give 6-9 lines
OPTS="--use-gpu=no --verbose=1 --loss-report-frames=500 --learn-rate=0.008 --feature-transform=$D/feature_transform.nnet"
ARGS="ark:$W/feats.ark ark:$D/train.post.ark $D/dnn.init.nnet"
COMMON="$OPTS $ARGS"
export W COMMON

# prog.sh ONE.log PAR.log: the same ProgressLoss lines (block sizes exact, values 1e-4) and
# progress vectors, at least 3 lines
cat >"$TMP_BASE/prog.sh" <<'EOS'
#!/bin/sh
ext() {
    grep 'ProgressLoss\[' "$1" | sed 's/.*ProgressLoss\[\(.*\)\]: \([^ ]*\) (\([A-Za-z]*\)), fps=.*/\1 \2 \3/'
    grep 'progress: \[' "$1"
}
ext "$1" >one.prog && ext "$2" >par.prog || exit 1
n1=$(grep -c 'ProgressLoss\[' "$1"); n2=$(grep -c 'ProgressLoss\[' "$2")
echo "lines: 1 worker $n1, N workers $n2"
[ "$n1" -ge 3 ] && [ "$n1" -eq "$n2" ] || exit 1
[ "$(grep -c 'progress: \[' "$1")" -eq "$(grep -c 'progress: \[' "$2")" ] || exit 1
"$TOP/tests/tools/numdiff" one.prog par.prog 1e-4
EOS
chmod +x "$TMP_BASE/prog.sh"
PROG=$TMP_BASE/prog.sh

for mb in 256 384; do
    nnet-train-frmshuff --minibatch-size=$mb $COMMON $W/one.$mb.nnet 2>$W/one.$mb.log
done

for n in 2 3; do
    test_expect_success "$n CPU workers x 128: the ProgressLoss lines of 1 worker x $((n * 128))" "
        nnet-train-frmshuff --num-threads=$n --minibatch-size=128 $COMMON par.nnet 2>par.log &&
        grep -q 'Data-parallel training: $n workers' par.log &&
        $PROG $W/one.$((n * 128)).log par.log
    "
done

test_expect_success 'control: 1 worker x 128 has other ProgressLoss lines (the check can fail)' "
    nnet-train-frmshuff --minibatch-size=128 $COMMON one.nnet 2>one.log &&
    ! $PROG $W/one.256.log one.log
"

test_expect_success '--loss-report-frames=0: no ProgressLoss lines with 2 workers either' "
    nnet-train-frmshuff --num-threads=2 --minibatch-size=128 $OPTS --loss-report-frames=0 \
        $ARGS par.nnet 2>par.log &&
    grep -q 'progress: \[\]' par.log && ! grep -q ProgressLoss par.log
"

test_expect_success 'multitask (xent + mse), 3 workers: every part reports as 1 worker x 3' "
    O='--objective-function=multitask,xent,100,1.0,mse,36,0.5' &&
    nnet-train-frmshuff \$O --minibatch-size=192 $COMMON one.nnet 2>one.log &&
    nnet-train-frmshuff \$O --num-threads=3 --minibatch-size=64 $COMMON par.nnet 2>par.log &&
    grep -q 'ProgressLoss.*(Mse)' par.log && grep -q 'ProgressLoss.*(Xent)' par.log &&
    $PROG one.log par.log
"

test_expect_success 'cross-validation, 4 workers: the ProgressLoss lines of 1 worker x 4' "
    nnet-train-frmshuff --cross-validate=true --minibatch-size=256 $COMMON 2>one.log &&
    nnet-train-frmshuff --cross-validate=true --num-threads=4 --minibatch-size=64 $COMMON \
        2>par.log &&
    $PROG one.log par.log
"

test_expect_success 'fractional utterance weights, 2 workers: the lines of 1 worker x 2' "
    feat-to-len ark:$W/feats.ark ark,t:- 2>/dev/null |
        awk '{ print \$1, 0.3 + (NR % 7) * 0.137 }' >uw.txt &&
    test \$(wc -l <uw.txt) -eq 100 &&
    nnet-train-frmshuff --utt-weights=ark,t:uw.txt --minibatch-size=256 $COMMON one.nnet \
        2>one.log &&
    nnet-train-frmshuff --utt-weights=ark,t:uw.txt --num-threads=2 --minibatch-size=128 \
        $COMMON par.nnet 2>par.log &&
    $PROG one.log par.log
"

if command -v mpirun >/dev/null 2>&1 && ldd "$TOP/nnetbin/nnet-train-frmshuff" | grep -q libmpi; then
    MPIRUN="timeout 60 mpirun -np 2 --oversubscribe --allow-run-as-root"
    export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
    test_expect_success '2 MPI processes x 128: the ProgressLoss lines of 1 worker x 256, once' "
        $MPIRUN nnet-train-frmshuff --minibatch-size=128 $COMMON par.nnet 2>par.log &&
        grep -q 'Data-parallel training: 2 workers (mpi), 256 frames a step' par.log &&
        $PROG $W/one.256.log par.log
    "
else
    test_skip 'MPI ProgressLoss test' 'mpirun not found or skald built without MPI (install Open MPI, see INSTALL)'
fi

test_done
