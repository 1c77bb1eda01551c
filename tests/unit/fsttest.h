/* fsttest.h — what the search unit tests (decoder.c, latgen.c) share: a xorshift generator
 * for their random graphs and compiling a text FST with the OpenFst tools into a ConstFst.
 * The including test defines FSTTEST_SEED and fills `dir` (a scratch directory) before
 * calling compile(). */
#ifndef SK_TESTS_FSTTEST_H
#define SK_TESTS_FSTTEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fst/fst.h"

static char dir[64];
static uint64_t rng = FSTTEST_SEED;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}
static double urand(void) { return (rnd() & 0xffffff) / (double)0x1000000; }

/* Compile a text FST with fstcompile | fstconvert --fst_type=const and read it; NULL when the
 * tools fail. */
static sk_fst *compile(const char *text)
{
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/g.txt", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "fstcompile %s/g.txt | fstconvert --fst_type=const > %s/g.fst", dir, dir);
    if (system(cmd) != 0)
        return NULL;
    snprintf(path, sizeof path, "%s/g.fst", dir);
    f = fopen(path, "rb");
    sk_fst *g = NULL;
    if (sk_fst_read(f, "g.fst", &g) < 0)
        g = NULL;
    fclose(f);
    return g;
}

#endif
