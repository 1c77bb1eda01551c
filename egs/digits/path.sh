# path.sh — put skald's tools first on PATH (as a Kaldi recipe's path.sh does for Kaldi).
SKALD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../.." && pwd)
export PATH=$SKALD_ROOT/featbin:$SKALD_ROOT/nnetbin:$SKALD_ROOT/bin:$SKALD_ROOT/utils:$PATH
export LC_ALL=C
