#!/bin/sh
# post-to-pdf-post: transition-id posteriors summed per pdf, in Kaldi's (libstdc++
# unordered_map) order.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

test_expect_success 'one pair a frame: same as ali-to-pdf | ali-to-post' '
    ali-to-post ark:$D/ali.ark ark:tid.post &&
    post-to-pdf-post $D/final.mdl ark:tid.post ark,t:out 2>err &&
    test_cmp $D/ali-to-post.txt out &&
    grep -q ") Done converting posteriors to pdf-level posteriors for 120 utterances\.$" err
'
test_expect_success 'weights of one pdf are summed, zero sums dropped' '
    printf "u [ 2 0.25 1 0.5 ] [ 1 0.5 8 0.5 2 -0.5 ] [ ] \n" >in &&
    post-to-pdf-post $D/final.mdl ark:in ark,t:out &&
    printf "u [ 0 0.75 ] [ 66 0.5 ] [ ] \n" >exp && test_cmp exp out
'
# Reference: the order in which a real std::unordered_map<int, float> iterates.
cat >"$TMP_BASE/ref.cc" <<'CC'
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>
int main(int argc, char **argv) {
  std::ifstream pm(argv[1]);
  std::string key; pm >> key;
  std::vector<int> pdf(1, -1); int p;
  while (pm >> p) pdf.push_back(p);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream is(line); is >> key; std::cout << key << ' ';
    std::string tok;
    while (is >> tok) {             // tok == "["
      std::unordered_map<int, float> m;
      while (is >> tok && tok != "]") { float w; is >> w; m[pdf[std::stoi(tok)]] += w; }
      std::cout << "[ ";
      for (auto &kv : m) if (kv.second != 0) { char b[32]; snprintf(b, 32, "%.7g", kv.second); std::cout << kv.first << ' ' << b << ' '; }
      std::cout << "] ";
    }
    std::cout << '\n';
  }
}
CC
if command -v c++ >/dev/null 2>&1 && c++ -std=c++11 -O0 -o "$TMP_BASE/ref" "$TMP_BASE/ref.cc" 2>/dev/null; then
test_expect_success 'many pdfs a frame: order equals std::unordered_map (rehash at 13, 29, 59)' '
    seq 1 1178 | tr "\n" " " | sed "s/^/all /" >all.ali && ali-to-pdf $D/final.mdl ark:all.ali ark,t:pdfmap &&
    awk "BEGIN { for (u = 0; u < 3; u++) { printf \"u%d \", u;
           for (f = 0; f < 40; f++) { k = (f * 7 + u) % 70 + 1; printf \"[ \";
             for (j = 0; j < k; j++) printf \"%d %s \", (f * 131 + j * 37 + u) % 1178 + 1, (j % 2 ? \"0.25\" : \"0.5\");
             printf \"] \" } printf \"\n\" } }" >in &&
    post-to-pdf-post $D/final.mdl ark:in ark,t:out && "$TMP_BASE/ref" pdfmap <in >exp &&
    test_cmp exp out
'
else
test_skip 'many pdfs a frame: order equals std::unordered_map' 'no C++ compiler (c++) to build the reference'
fi
test_expect_error 'transition-id out of range' 'Transition-id 1179 at frame 1 of utterance u' \
    sh -c "printf \"u [ 2 1 ] [ 1179 1 ]\n\" >in && post-to-pdf-post $D/final.mdl ark:in ark:/dev/null"
test_expect_error 'alignments instead of posteriors' 'ERROR' \
    post-to-pdf-post $D/final.mdl ark:$D/ali.txt ark:/dev/null
test_expect_error 'not a transition model' 'Expected token "<TransitionModel>"' \
    post-to-pdf-post $D/phones.txt ark:$D/ali.ark ark:/dev/null
test_done
