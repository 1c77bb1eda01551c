#!/bin/sh
# latgen-faster-mapped-parallel: the same bytes and log lines as latgen-faster-mapped on 1, 2
# and 3 threads (digits graph, a subset of tests/data/decode); bad input fails, never hangs.
. "$(dirname "$0")/lib.sh"
D=$DATA/decode
OPTS="--beam=13 --lattice-beam=8 --max-active=7000 --acoustic-scale=0.1"
subset-feats --n=60 ark:$D/loglikes.ark ark:$TMP_BASE/sub.ark 2>/dev/null
S=$TMP_BASE/sub.ark
# the log without the lines that differ by design (command line, times, thread count)
logcore() { grep -v "^latgen-faster-mapped\|Time taken\|Decoded with" "$1" | sed 's/^\([A-Z]*\) ([^ ]*) /\1 /'; }

test_expect_success 'serial reference run' '
    latgen-faster-mapped $OPTS --word-symbol-table=$D/words.txt $D/trans.mdl $D/HCLG.fst ark:$S \
        ark:$TMP_BASE/lat0 ark,t:$TMP_BASE/w0 ark,t:$TMP_BASE/a0 2>$TMP_BASE/log0 &&
    grep -q "Done 60 utterances, failed for 0" $TMP_BASE/log0
'
for n in 1 2 3; do
    test_expect_success "$n threads: lattices, words, alignments and log identical to the serial tool" "
        latgen-faster-mapped-parallel --num-threads=$n $OPTS --word-symbol-table=$D/words.txt \
            $D/trans.mdl $D/HCLG.fst ark:$S ark:lat ark,t:w ark,t:a 2>log &&
        cmp $TMP_BASE/lat0 lat && test_cmp $TMP_BASE/w0 w && test_cmp $TMP_BASE/a0 a &&
        grep -q 'Decoded with $n threads.' log &&
        grep 'Overall log-likelihood per frame' $TMP_BASE/log0 | sed 's/^[^ ]* ([^ ]*) //' >exp &&
        grep 'Overall log-likelihood per frame' log | sed 's/^[^ ]* ([^ ]*) //' >got && test_cmp exp got &&
        logcore $TMP_BASE/log0 >exp && logcore log >got && test_cmp exp got
    "
done
test_expect_success 'more threads than utterances (8 threads, 2 utterances; --num-threads-total accepted)' '
    subset-feats --n=2 ark:$S ark:two.ark 2>/dev/null &&
    latgen-faster-mapped $OPTS $D/trans.mdl $D/HCLG.fst ark:two.ark ark:l0 ark,t:a0 2>/dev/null &&
    latgen-faster-mapped-parallel --num-threads=8 --num-threads-total=9 $OPTS $D/trans.mdl $D/HCLG.fst \
        ark:two.ark ark:l ark,t:a 2>log &&
    grep -q "Done 2 utterances, failed for 0" log && cmp l0 l && test_cmp a0 a
'
test_expect_success '--determinize-lattice=false: raw lattices identical on 2 threads' '
    latgen-faster-mapped --determinize-lattice=false $OPTS $D/trans.mdl $D/HCLG.fst ark:$S ark:raw0 2>/dev/null &&
    latgen-faster-mapped-parallel --num-threads=2 --determinize-lattice=false $OPTS $D/trans.mdl \
        $D/HCLG.fst ark:$S ark:raw 2>/dev/null && cmp raw0 raw
'
test_expect_success 'a zero-length utterance among others: warned, counted, the rest identical' '
    copy-matrix ark:$S ark,t:- 2>/dev/null | awk "{print} /\\]/ && ++n == 5 {print \"empty [ ]\"}" >m.txt &&
    grep -q "^empty \[ \]" m.txt &&
    latgen-faster-mapped $OPTS $D/trans.mdl $D/HCLG.fst ark:m.txt ark:l0 ark,t:w0 2>log0 &&
    latgen-faster-mapped-parallel --num-threads=3 $OPTS $D/trans.mdl $D/HCLG.fst ark:m.txt ark:l ark,t:w 2>log &&
    grep -q "Zero-length utterance: empty" log && grep -q "Done 60 utterances, failed for 1" log &&
    cmp l0 l && test_cmp w0 w
'
mat() { awk -v k="$1" 'BEGIN { printf "%s [", k; for (i = 0; i < 6; i++) { printf "\n "; for (j = 0; j < 136; j++) printf " %g", -((i * 7 + j * 3) % 11) / 2 } print " ]" }'; }
if command -v fstcompile >/dev/null; then
test_expect_success 'no final state on 2 threads: warnings in input order, --allow-partial as the serial tool' '
    printf "0 1 2 7 0.5\n1 1 2 0 0.1\n" | fstcompile >nf.fst &&
    { mat u1; mat u2; mat u3; } >m.ark &&
    test_must_fail latgen-faster-mapped-parallel --num-threads=2 $D/trans.mdl nf.fst ark:m.ark ark:l 2>log &&
    grep -o "Not producing output for utterance u[0-9]" log >got && printf "%s\n" \
        "Not producing output for utterance u1" "Not producing output for utterance u2" \
        "Not producing output for utterance u3" >exp && test_cmp exp got &&
    grep -q "Done 0 utterances, failed for 3" log &&
    latgen-faster-mapped --allow-partial=true $D/trans.mdl nf.fst ark:m.ark ark:l0 ark,t:w0 2>/dev/null &&
    latgen-faster-mapped-parallel --num-threads=2 --allow-partial=true $D/trans.mdl nf.fst ark:m.ark ark:l ark,t:w 2>log &&
    test $(grep -c "Outputting partial output for utterance" log) -eq 3 && cmp l0 l && test_cmp w0 w
'
else
    test_skip 'no final state on 2 threads' 'fstcompile (libfst-tools) missing'
fi
test_expect_success 'archive truncated in the middle while the threads run: ERROR, exit 255, no hang' '
    head -c 600000 $S >trunc.ark &&
    { timeout 60 latgen-faster-mapped-parallel --num-threads=3 $OPTS $D/trans.mdl $D/HCLG.fst \
        ark:trunc.ark ark:l 2>log; test $? -eq 255; } &&
    grep -q "^ERROR.*error detected closing archive" log
'
test_expect_success 'wrong matrix width after good utterances: ERROR, non-zero exit, no hang' '
    copy-matrix ark:$S ark,t:good.txt 2>/dev/null &&
    printf "narrow [\n 1 2 3 ]\n" >>good.txt &&
    test_must_fail timeout 60 latgen-faster-mapped-parallel --num-threads=2 $OPTS $D/trans.mdl $D/HCLG.fst \
        ark:good.txt ark:l 2>log &&
    grep -q "matrix for utterance narrow has 3 columns" log
'
test_expect_error 'bad --num-threads' 'num-threads=0' \
    latgen-faster-mapped-parallel --num-threads=0 $D/trans.mdl $D/HCLG.fst ark:$S ark:/dev/null
test_expect_error 'bad lattice beam' 'lattice-beam=-1' \
    latgen-faster-mapped-parallel --num-threads=2 --lattice-beam=-1 $D/trans.mdl $D/HCLG.fst ark:$S ark:/dev/null
test_done
