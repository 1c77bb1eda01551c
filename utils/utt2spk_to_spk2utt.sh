#!/bin/sh
# utt2spk_to_spk2utt.sh — turn "utt spk" lines (stdin) into "spk utt1 utt2 ..." (stdout),
# speakers in order of first appearance.
awk '{ if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } list[$2] = list[$2] " " $1 }
     END { for (i = 0; i < n; i++) print order[i] list[order[i]] }'
