#!/bin/sh
# Every binary of the drop-in set (egs/kaldi-dropin/dropin-set.txt) is built, answers --help
# with its usage and exit 0, and no arguments with usage and exit 1, as Kaldi's do.
. "$(dirname "$0")/lib.sh"
set_file=$TOP/egs/kaldi-dropin/dropin-set.txt
# cuda-gpu-available takes no arguments (tests/tools/cuda-gpu-available.t covers it).
for b in $(grep -v '^#' "$set_file" | grep -vx cuda-gpu-available); do
    test_expect_success "$b: built, --help exits 0, no arguments exits 1" '
        command -v '"$b"' >/dev/null &&
        '"$b"' --help 2> help; test $? -eq 0 && grep -qi "usage" help &&
        '"$b"' 2> err; test $? -eq 1 && grep -qi "usage" err
    '
done
test_expect_success 'cuda-gpu-available: built, --help exits 0' '
    command -v cuda-gpu-available >/dev/null && cuda-gpu-available --help 2> help && grep -qi usage help
'
test_expect_success 'check-recipe finds the whole set provided' '
    mkdir r && grep -v "^#" "$set_file" | sed "s/\$/ ark:a ark:b/" > r/run.sh &&
    "$TOP/egs/kaldi-dropin/check-recipe.sh" r > out && ! grep -q "^missing" out
'
test_done
