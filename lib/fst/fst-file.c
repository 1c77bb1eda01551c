/* fst-file.c — opening FSTs by rxfilename (kept apart from fst.c so that
 * code reading FSTs from a FILE* does not pull in the stream layer). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "fst/fst.h"
#include "io/stream.h"

int sk_fst_read_file(const char *rx, sk_fst **fst)
{
    *fst = NULL;
    sk_input *in = sk_input_open(rx);
    if (!in)
        return SK_EIO;
    int st = sk_fst_read(sk_input_file(in), sk_printable_rx(rx), fst);
    if (sk_input_close(in) < 0 && st == 0) {
        sk_fst_free(*fst);
        *fst = NULL;
        st = SK_EIO;
    }
    return st;
}
