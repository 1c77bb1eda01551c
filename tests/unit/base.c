/* Unit tests for lib/base: log line shape, option parsing, escaping. */
#include "base/log.h"
#include "base/opts.h"
#include "base/strbuf.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static char last_line[8192];
static size_t last_len;
static void sink(int sev, const char *line, void *ctx)
{
    (void)sev; (void)ctx;
    last_len = strlen(line);
    snprintf(last_line, sizeof last_line, "%s", line);
    if (ctx)
        *(char *)ctx = line[last_len ? last_len - 1 : 0];
}

int main(void)
{
    char *argv0[] = { "/some/dir/copy-feats", NULL };
    sk_log_init(argv0[0]);
    sk_log_set_sink(sink, NULL);

    TEST("log line has Kaldi's shape") {
        SK_LOG("Copied %d feature matrices.", 4);
        CHECK(!strncmp(last_line, "LOG (copy-feats[skald]:main():base.c:", 37));
        CHECK(strstr(last_line, ") Copied 4 feature matrices.") != NULL);
    }
    TEST("warning and error severities") {
        SK_WARN("x");
        CHECK(!strncmp(last_line, "WARNING (copy-feats[skald]:", 27));
        SK_ERROR("y");
        CHECK(!strncmp(last_line, "ERROR (copy-feats[skald]:", 25));
    }
    TEST("VLOG printed only at its verbose level") {
        last_line[0] = 0;
        SK_VLOG(2, "hidden");
        CHECK_STR(last_line, "");
        sk_log_set_verbose(2);
        SK_VLOG(2, "shown");
        CHECK(!strncmp(last_line, "VLOG[2] (copy-feats[skald]:", 27));
        sk_log_set_verbose(0);
    }
    TEST("long messages are not cut") {
        size_t n = 100000;
        char *msg = malloc(n + 1);
        memset(msg, 'a', n);
        msg[n - 1] = 'z';
        msg[n] = 0;
        char tail = 0;
        sk_log_set_sink(sink, &tail);
        SK_ERROR("%s", msg);
        sk_log_set_sink(sink, NULL);
        CHECK(last_len > n);
        CHECK(tail == 'z');
        CHECK(!strncmp(last_line, "ERROR (copy-feats[skald]:", 25));
        free(msg);
    }
    TEST("options: forms, normalisation, positional args") {
        char *argv[] = { "tool", "--binary=false", "--Num_Frames=7", "--scale=0.5", "--flag",
                         "--name=a b", "in", "--notopt", NULL };
        sk_opts *po = sk_opts_new("usage", 8, argv);
        bool binary = true, flag = false;
        int32_t n = 0;
        float scale = 1;
        const char *name = "x";
        sk_opts_bool(po, "binary", &binary, "b");
        sk_opts_int(po, "num-frames", &n, "n");
        sk_opts_float(po, "scale", &scale, "s");
        sk_opts_bool(po, "flag", &flag, "f");
        sk_opts_string(po, "name", &name, "n");
        /* silence --print-args in the test output */
        sk_opts_parse(po);
        CHECK(!binary);
        CHECK(flag);
        CHECK_INT(n, 7);
        CHECK_NEAR(scale, 0.5, 0);
        CHECK_STR(name, "a b");
        CHECK_INT(sk_opts_num_args(po), 2);
        CHECK_STR(sk_opts_arg(po, 1), "in");
        CHECK_STR(sk_opts_arg(po, 2), "--notopt");
        sk_opts_free(po);
    }
    TEST("escaping as Kaldi prints names") {
        CHECK_STR(sk_escape("ark:feats.ark"), "ark:feats.ark");
        CHECK_STR(sk_escape("ark:gunzip -c a.gz|"), "'ark:gunzip -c a.gz|'");
        CHECK_STR(sk_escape("it's"), "\"it's\"");
        CHECK_STR(sk_escape("a'$b"), "'a'\\''$b'");
    }
    TEST("number parsing") {
        int32_t i;
        float f;
        bool b;
        CHECK(sk_parse_int32("42", &i) && i == 42);
        CHECK(!sk_parse_int32("4x", &i));
        CHECK(!sk_parse_int32("", &i));
        CHECK(sk_parse_float("1e-3", &f) && fabsf(f - 1e-3f) < 1e-9f);
        CHECK(!sk_parse_float("abc", &f));
        CHECK(sk_parse_bool("T", &b) && b);
        CHECK(sk_parse_bool("0", &b) && !b);
        CHECK(!sk_parse_bool("yes", &b));
    }
    TEST("strbuf grows and hands its text over") {
        sk_strbuf b = SK_STRBUF_INIT;
        CHECK(sk_strbuf_detach(&b) == NULL);
        for (int i = 0; i < 1000; i++)
            sk_strbuf_addf(&b, "%d,", i % 10);
        CHECK_INT(b.len, 2000);
        CHECK(!b.failed);
        char *t = sk_strbuf_detach(&b);
        CHECK(t && strlen(t) == 2000 && !strncmp(t, "0,1,2,", 6) && !strcmp(t + 1996, "8,9,"));
        CHECK(b.s == NULL && b.len == 0);
        free(t);
    }
    return tap_done();
}
