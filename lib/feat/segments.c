/* segments.c — segments-file lines with Kaldi's checks and warnings, in Kaldi's order. */
#include "feat/segments.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"

bool sk_segment_parse(const char *line, bool allow_end_minus_one, sk_segment *s)
{
    char *f[6], *save = NULL;
    int nf = 0;
    s->buf = strdup(line);
    s->channel = -1;
    if (!s->buf)
        return false;
    for (char *t = strtok_r(s->buf, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save))
        if (nf++ < 6)
            f[nf - 1] = t;
    if (nf != 4 && nf != 5) {
        SK_WARN("Invalid line in segments file: %s", line);
        return false;
    }
    if (!sk_parse_double(f[2], &s->start)) {
        SK_WARN("Invalid line in segments file [bad start]: %s", line);
        return false;
    }
    if (!sk_parse_double(f[3], &s->end)) {
        SK_WARN("Invalid line in segments file [bad end]: %s", line);
        return false;
    }
    bool bad = allow_end_minus_one
        ? s->start < 0 || (s->end != -1.0 && s->end <= 0) || (s->start >= s->end && s->end > 0)
        : s->start < 0 || s->end <= 0 || s->start >= s->end;
    if (bad) {
        SK_WARN("Invalid line in segments file [empty or invalid segment]: %s", line);
        return false;
    }
    if (nf == 5 && (!sk_parse_int32(f[4], &s->channel) || s->channel < 0)) {
        SK_WARN("Invalid line in segments file [bad channel]: %s", line);
        return false;
    }
    s->id = f[0];
    s->reco = f[1];
    return true;
}

void sk_segment_release(sk_segment *s)
{
    free(s->buf);
    s->buf = NULL;
}
