#!/bin/sh
# nnet-train-frmshuff data-parallel (issue 7): N CPU worker threads, and 2 MPI processes, give
# the model of one worker with an N-times minibatch (1e-5, float summation order) and the same
# global AvgLoss / FRAME_ACCURACY; a failing, hanging or killed worker fails the job within
# seconds with an ERROR naming it, leaving the previous model file intact.
. "$(dirname "$0")/lib.sh"

D=$DATA/nnet1
FT="--feature-transform=$D/feature_transform.nnet"
W=$TMP_BASE/data
mkdir -p "$W"
# a small subset (100 utterances, ~4000 frames) keeps every run well under a second
subset-feats --n=100 ark:$D/train.feats.ark ark:$W/feats.ark 2>/dev/null
COMMON="--use-gpu=no --learn-rate=0.008 $FT ark:$W/feats.ark ark:$D/train.post.ark $D/dnn.init.nnet"
export W COMMON

# same.sh A.nnet A.log B.nnet B.log: models within 1e-5, identical global report lines.
cat >"$TMP_BASE/same.sh" <<'EOS'
#!/bin/sh
nnet-copy --binary=false "$1" a.txt 2>/dev/null && nnet-copy --binary=false "$3" b.txt 2>/dev/null &&
"$TOP/tests/tools/numdiff" a.txt b.txt 1e-5 || exit 1
for pat in 'AvgLoss:' '^FRAME_ACCURACY >>' 'Done [0-9]* files'; do
    x=$(grep "$pat" "$2" | sed 's/.*) //; s/ \[TRAINING.*//; s/ \[CROSS.*//')
    y=$(grep "$pat" "$4" | sed 's/.*) //; s/ \[TRAINING.*//; s/ \[CROSS.*//')
    echo "1: $x"; echo "N: $y"
    [ -n "$x" ] && [ "$x" = "$y" ] || exit 1
done
EOS
chmod +x "$TMP_BASE/same.sh"
SAME=$TMP_BASE/same.sh

# references: one worker with minibatch 128, 256, 384, 512 (shared by the tests below)
for mb in 128 256 384 512; do
    nnet-train-frmshuff --minibatch-size=$mb $COMMON $W/one.$mb.nnet 2>$W/one.$mb.log
done

for n in 1 2 3 4; do
    test_expect_success "$n CPU worker(s) x 128 frames == 1 worker x $((n * 128)) frames (1e-5)" "
        nnet-train-frmshuff --num-threads=$n --minibatch-size=128 $COMMON par.nnet 2>par.log &&
        $SAME $W/one.$((n * 128)).nnet $W/one.$((n * 128)).log par.nnet par.log &&
        { [ $n -eq 1 ] || grep -q 'Data-parallel training: $n workers (cpu threads), $((n * 128)) frames a step' par.log; } &&
        cp par.nnet $W/par.$n.nnet
    "
done

test_expect_success 'control: 2 workers x 128 differ from 1 worker x 128 (the check can fail)' "
    nnet-copy --binary=false $W/one.128.nnet a.txt 2>/dev/null &&
    nnet-copy --binary=false $W/par.2.nnet b.txt 2>/dev/null &&
    ! numdiff a.txt b.txt 1e-5
"

test_expect_success 'momentum 0.9 + L2 + L1, 3 workers == 1 worker x 3 (global frame count in the update)' "
    O='--momentum=0.9 --l2-penalty=1e-4 --l1-penalty=1e-6' &&
    nnet-train-frmshuff \$O --minibatch-size=192 $COMMON one.nnet 2>one.log &&
    nnet-train-frmshuff \$O --num-threads=3 --minibatch-size=64 $COMMON par.nnet 2>par.log &&
    $SAME one.nnet one.log par.nnet par.log
"

test_expect_success 'cross-validation with 4 workers: the global report of 1 worker x 4' "
    nnet-train-frmshuff --cross-validate=true --minibatch-size=256 $COMMON 2>one.log &&
    nnet-train-frmshuff --cross-validate=true --num-threads=4 --minibatch-size=64 $COMMON 2>par.log &&
    for pat in AvgLoss: '^FRAME_ACCURACY'; do
        [ \"\$(grep \"\$pat\" one.log | sed 's/.*) //')\" = \"\$(grep \"\$pat\" par.log | sed 's/.*) //')\" ] || exit 1
    done && grep -q 'CROSS-VALIDATION, RANDOMIZED' par.log && ! ls *.nnet 2>/dev/null
"

test_expect_success '--help says N workers equal one worker with an N-times minibatch' "
    nnet-train-frmshuff --help 2>&1 | tr '\n' ' ' | grep -q 'the same as one worker *with --minibatch-size N times larger'
"

# A failing worker: ERROR naming it, non-zero exit within seconds, old model untouched.
test_expect_success 'a worker failing mid-epoch (thread 1 of 3, step 5) stops the job, names it' "
    echo previous >out.nnet &&
    start=\$(date +%s) &&
    SKALD_TEST_FAIL_WORKER=1:5 test_must_fail timeout 30 nnet-train-frmshuff --num-threads=3 \
        --minibatch-size=64 $COMMON out.nnet 2>err &&
    [ \$((\$(date +%s) - start)) -le 10 ] &&
    grep -q '^ERROR (.*worker 1 failed: injected failure at step 5' err &&
    grep -q '^ERROR (.*Training failed after' err &&
    [ \"\$(cat out.nnet)\" = previous ]
"

test_expect_success 'a worker that hangs makes the others time out naming it (--comm-timeout=1)' "
    start=\$(date +%s) &&
    SKALD_TEST_FAIL_WORKER=2:3:hang test_must_fail timeout 30 nnet-train-frmshuff --num-threads=3 \
        --comm-timeout=1 --minibatch-size=64 $COMMON out.nnet 2>err &&
    [ \$((\$(date +%s) - start)) -le 10 ] &&
    grep -q '^ERROR (.*timed out after 1 s waiting for worker(s) 2' err && ! test -e out.nnet
"

test_expect_error 'bad --num-threads' 'num-threads must be at least 1' \
    nnet-train-frmshuff --num-threads=0 $COMMON x.nnet
test_expect_error 'bad --num-gpus' "Bad --num-gpus='x1'" \
    nnet-train-frmshuff --num-gpus=x1 --use-gpu=yes $COMMON x.nnet
test_expect_error 'GPUs that do not exist: a clean ERROR' 'Cannot set up the training workers' \
    nnet-train-frmshuff --num-gpus=999,998 --use-gpu=yes ark:$W/feats.ark ark:$D/train.post.ark \
    $D/dnn.init.nnet x.nnet
test_expect_error '--num-gpus with --use-gpu=no' 'contradicts --use-gpu=no' \
    nnet-train-frmshuff --num-gpus=2 $COMMON x.nnet

# ---- MPI: 2 processes under mpirun (Open MPI detected from the environment) ----
if command -v mpirun >/dev/null 2>&1 && ldd "$TOP/nnetbin/nnet-train-frmshuff" | grep -q libmpi; then
    MPIRUN="timeout 60 mpirun -np 2 --oversubscribe --allow-run-as-root"
    export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
    test_expect_success '2 MPI processes x 128 frames == 1 worker x 256 frames (1e-5)' "
        $MPIRUN nnet-train-frmshuff --minibatch-size=128 $COMMON par.nnet 2>par.log &&
        grep -q 'Data-parallel training: 2 workers (mpi), 256 frames a step' par.log &&
        $SAME $W/one.256.nnet $W/one.256.log par.nnet par.log &&
        [ \$(grep -c 'AvgLoss:' par.log) -eq 1 ]
    "
    test_expect_success 'MPI with --num-threads=2: a clean ERROR, no model' "
        ! $MPIRUN nnet-train-frmshuff --num-threads=2 --minibatch-size=64 $COMMON out.nnet 2>err &&
        grep -q '^ERROR (.*Under mpirun every process is one worker' err && ! test -e out.nnet
    "
    test_expect_success 'MPI: rank 1 failing mid-epoch aborts the job with an ERROR naming it' "
        echo previous >out.nnet &&
        start=\$(date +%s) &&
        ! SKALD_TEST_FAIL_WORKER=1:5 $MPIRUN nnet-train-frmshuff --minibatch-size=64 $COMMON \
            out.nnet 2>err &&
        [ \$((\$(date +%s) - start)) -le 20 ] &&
        grep -q '^ERROR (.*worker 1 (MPI rank 1 of 2) failed: injected failure at step 5' err &&
        [ \"\$(cat out.nnet)\" = previous ]
    "
    test_expect_success 'MPI: rank 1 killed mid-epoch ends the job within seconds naming it, no model' "
        start=\$(date +%s) &&
        ! SKALD_TEST_FAIL_WORKER=1:4:kill $MPIRUN nnet-train-frmshuff --comm-timeout=5 \
            --minibatch-size=64 $COMMON out.nnet >out 2>err &&
        [ \$((\$(date +%s) - start)) -le 20 ] && ! test -e out.nnet &&
        cat out err | grep -q 'process rank 1 .*exited on signal 9'
    "
    test_expect_success 'MPI: rank 1 hanging makes rank 0 time out with an ERROR, job ends' "
        start=\$(date +%s) &&
        ! SKALD_TEST_FAIL_WORKER=1:2:hang $MPIRUN nnet-train-frmshuff --comm-timeout=1 \
            --minibatch-size=64 $COMMON out.nnet 2>err &&
        [ \$((\$(date +%s) - start)) -le 20 ] &&
        grep -q '^ERROR (.*worker 0: MPI all-reduce timed out after 1 s' err && ! test -e out.nnet
    "
else
    test_skip 'MPI tests' 'mpirun not found or skald built without MPI (install Open MPI, see INSTALL)'
    test_expect_error 'launched by mpirun without MPI built: a clear ERROR' 'built without MPI' \
        env OMPI_COMM_WORLD_SIZE=2 nnet-train-frmshuff $COMMON x.nnet
fi

test_done
