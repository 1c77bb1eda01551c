/* Unit tests for lib/io/stream: filename classification, files, offsets, pipes (checked at
 * close), atomic outputs, memory inputs. */
#include "base/log.h"
#include "io/stream.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char errs[16384];
static int n_err, n_warn;
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR) {
        n_err++;
        strncat(errs, line, sizeof errs - strlen(errs) - 2);
        strcat(errs, "\n");
    } else if (sev == SK_SEV_WARNING) {
        n_warn++;
    }
}
static void reset(void) { errs[0] = 0; n_err = n_warn = 0; }

static void write_file(const char *name, const char *s)
{
    FILE *f = fopen(name, "wb");
    fputs(s, f);
    fclose(f);
}

static char *slurp(const char *name)
{
    char *d;
    size_t n;
    if (sk_read_all(name, &d, &n) < 0)
        return NULL;
    return d;
}

int main(void)
{
    sk_log_init("stream-test");
    sk_log_set_sink(sink, NULL);
    char dir[] = "/tmp/skald-stream-XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0)
        return 1;

    TEST("rxfilename classification (io.md 1.1)") {
        CHECK_INT(sk_classify_rxfilename(""), SK_RX_STDIN);
        CHECK_INT(sk_classify_rxfilename("-"), SK_RX_STDIN);
        CHECK_INT(sk_classify_rxfilename("|gzip"), SK_RX_INVALID);
        CHECK_INT(sk_classify_rxfilename("gunzip -c a.gz |"), SK_RX_PIPE);
        CHECK_INT(sk_classify_rxfilename(" a"), SK_RX_INVALID);
        CHECK_INT(sk_classify_rxfilename("a "), SK_RX_INVALID);
        CHECK_INT(sk_classify_rxfilename("ark:foo"), SK_RX_INVALID);
        CHECK_INT(sk_classify_rxfilename("scp,p:foo"), SK_RX_INVALID);
        CHECK_INT(sk_classify_rxfilename("abc:foo"), SK_RX_FILE);
        CHECK_INT(sk_classify_rxfilename("feats.ark:123"), SK_RX_OFFSET);
        CHECK_INT(sk_classify_rxfilename("123"), SK_RX_FILE);
        CHECK_INT(sk_classify_rxfilename("a:b1"), SK_RX_FILE);
        reset();
        CHECK_INT(sk_classify_rxfilename("a|b"), SK_RX_INVALID);
        CHECK_INT(n_warn, 1);
        CHECK_INT(sk_classify_rxfilename("/data/x.ark"), SK_RX_FILE);
        size_t pl;
        int64_t off;
        CHECK(sk_rx_split_offset("a:b:42", &pl, &off) && pl == 3 && off == 42);
    }
    TEST("wxfilename classification (io.md 1.2)") {
        CHECK_INT(sk_classify_wxfilename(""), SK_WX_STDOUT);
        CHECK_INT(sk_classify_wxfilename("-"), SK_WX_STDOUT);
        CHECK_INT(sk_classify_wxfilename("| gzip -c > a.gz"), SK_WX_PIPE);
        CHECK_INT(sk_classify_wxfilename("gzip |"), SK_WX_INVALID);
        CHECK_INT(sk_classify_wxfilename("a "), SK_WX_INVALID);
        CHECK_INT(sk_classify_wxfilename("ark,t:x"), SK_WX_INVALID);
        CHECK_INT(sk_classify_wxfilename("x.ark:10"), SK_WX_INVALID);
        CHECK_INT(sk_classify_wxfilename("a|b"), SK_WX_INVALID);
        CHECK_INT(sk_classify_wxfilename("out.ark"), SK_WX_FILE);
    }
    TEST("printable names") {
        CHECK_STR(sk_printable_rx("-"), "standard input");
        CHECK_STR(sk_printable_wx(""), "standard output");
        CHECK_STR(sk_printable_rx("gunzip -c a.gz|"), "'gunzip -c a.gz|'");
        CHECK_STR(sk_printable_rx("a.ark"), "a.ark");
    }
    TEST("file and offset input") {
        write_file("f.txt", "hello world");
        sk_input *in = sk_input_open("f.txt:6");
        CHECK(in != NULL);
        if (in) {
            char b[16] = { 0 };
            CHECK(fread(b, 1, 5, sk_input_file(in)) == 5);
            CHECK_STR(b, "world");
            CHECK_STR(sk_input_name(in), "f.txt:6");
            CHECK_INT(sk_input_close(in), 0);
        }
        reset();
        CHECK(sk_input_open("nonexistent.ark") == NULL);
        CHECK(strstr(errs, "nonexistent.ark") != NULL);
        reset();
        CHECK(sk_input_open("ark:x.ark") == NULL);
        CHECK_INT(n_err, 1);
    }
    TEST("input pipe: data read, status checked at close") {
        sk_input *in = sk_input_open("printf 'abc' |");
        CHECK(in != NULL);
        if (in) {
            char b[8] = { 0 };
            CHECK(fread(b, 1, 8, sk_input_file(in)) == 3);
            CHECK_STR(b, "abc");
            CHECK_INT(sk_input_close(in), 0);
        }
        reset();
        in = sk_input_open("printf 'abc'; exit 3 |");
        CHECK(in != NULL);
        if (in) {
            char b[8];
            CHECK(fread(b, 1, 8, sk_input_file(in)) == 3);
            CHECK(sk_input_close(in) < 0);
            CHECK(strstr(errs, "Pipe 'printf 'abc'; exit 3' exited with status 3") != NULL);
        }
        reset();
        in = sk_input_open("kill -9 $$ |");
        CHECK(in != NULL);
        if (in) {
            CHECK(sk_input_close(in) < 0);
            CHECK(strstr(errs, "was killed by signal 9") != NULL);
        }
    }
    TEST("input pipe closed early is not a failure (SIGPIPE is ours)") {
        sk_input *in = sk_input_open("yes |");
        CHECK(in != NULL);
        if (in) {
            char b[4];
            CHECK(fread(b, 1, 4, sk_input_file(in)) == 4);
            reset();
            CHECK_INT(sk_input_close(in), 0);
            CHECK_INT(n_err, 0);
        }
    }
    TEST("output pipe and its status") {
        sk_output *o = sk_output_open("| cat > piped.txt", false);
        CHECK(o != NULL);
        if (o) {
            fputs("xyz", sk_output_file(o));
            CHECK_INT(sk_output_close(o), 0);
            char *d = slurp("piped.txt");
            CHECK_STR(d, "xyz");
            free(d);
        }
        reset();
        o = sk_output_open("| cat > /dev/null; exit 2", false);
        CHECK(o != NULL);
        if (o) {
            fputs("xyz", sk_output_file(o));
            CHECK(sk_output_close(o) < 0);
            CHECK(strstr(errs, "exited with status 2") != NULL);
        }
    }
    TEST("atomic output: renamed on close, old file kept on abort") {
        write_file("model.bin", "old");
        sk_output *o = sk_output_open("model.bin", true);
        CHECK(o != NULL);
        if (o) {
            fputs("new", sk_output_file(o));
            char tmp[64];
            snprintf(tmp, sizeof tmp, "model.bin.tmp.%ld", (long)getpid());
            CHECK(access(tmp, F_OK) == 0);
            char *d = slurp("model.bin");
            CHECK_STR(d, "old");
            free(d);
            sk_output_abort(o);
            CHECK(access(tmp, F_OK) != 0);
            d = slurp("model.bin");
            CHECK_STR(d, "old");
            free(d);
        }
        o = sk_output_open("model.bin", true);
        if (o) {
            fputs("new", sk_output_file(o));
            CHECK_INT(sk_output_close(o), 0);
            char *d = slurp("model.bin");
            CHECK_STR(d, "new");
            free(d);
        }
        /* a write failure: the old file stays */
        o = sk_output_open("/dev/full", true);
        CHECK(o != NULL);
        if (o) {
            fputs("x", sk_output_file(o));
            reset();
            CHECK(sk_output_close(o) < 0);
            CHECK(strstr(errs, "/dev/full") != NULL);
        }
    }
    TEST("atomic output: injected write failure (file size limit) keeps the old file") {
        write_file("big.bin", "old contents");
        pid_t pid = fork();
        if (pid == 0) {
            /* the child can write 4096 bytes, then every write fails with EFBIG */
            struct rlimit rl = { 4096, 4096 };
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
            sk_output *o = sk_output_open("big.bin", true);
            if (!o)
                _exit(2);
            for (int i = 0; i < 100000; i++)
                fputs("0123456789", sk_output_file(o));
            _exit(sk_output_close(o) < 0 ? 0 : 1);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        char *d = slurp("big.bin");
        CHECK_STR(d, "old contents");
        free(d);
        char tmp[64];
        snprintf(tmp, sizeof tmp, "big.bin.tmp.%ld", (long)pid);
        CHECK(access(tmp, F_OK) != 0);
    }
    TEST("object files: binary header detection") {
        sk_output *o = sk_output_open_object("obj.bin", true, true);
        CHECK(o != NULL);
        if (o) {
            fputs("FM", sk_output_file(o));
            CHECK_INT(sk_output_close(o), 0);
        }
        bool bin = false;
        sk_input *in = sk_input_open_object("obj.bin", &bin);
        CHECK(in != NULL && bin);
        if (in) {
            CHECK_INT(getc(sk_input_file(in)), 'F');
            sk_input_close(in);
        }
        write_file("obj.txt", " [ 1 ]");
        in = sk_input_open_object("obj.txt", &bin);
        CHECK(in != NULL && !bin);
        if (in)
            sk_input_close(in);
        FILE *f = fopen("bad.bin", "wb");
        fwrite("\0X", 1, 2, f);
        fclose(f);
        reset();
        CHECK(sk_input_open_object("bad.bin", &bin) == NULL);
        CHECK(n_err > 0);
    }
    TEST("memory input") {
        static const char data[] = "abc";
        sk_input *in = sk_input_open_mem(data, 3);
        CHECK(in != NULL);
        if (in) {
            CHECK_INT(getc(sk_input_file(in)), 'a');
            sk_input_close(in);
        }
        in = sk_input_open_mem(data, 0);
        CHECK(in != NULL);
        if (in) {
            CHECK_INT(getc(sk_input_file(in)), EOF);
            sk_input_close(in);
        }
    }
    TEST("read_all of a pipe") {
        char *d;
        size_t n;
        CHECK_INT(sk_read_all("seq 1 20000 |", &d, &n), 0);
        CHECK_INT(n, 108894);
        free(d);
        reset();
        CHECK(sk_read_all("false |", &d, &n) < 0);
        CHECK(strstr(errs, "Pipe 'false' exited with status 1") != NULL);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (chdir("/") == 0 && system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
