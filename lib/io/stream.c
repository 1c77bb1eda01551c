/* stream.c — opening Kaldi's extended filenames: files, offsets, stdin/stdout, pipes.
 *
 * Pipes are started with posix_spawn rather than popen, for three reasons: the child gets
 * SIGPIPE back to its default (tools ignore SIGPIPE, and an ignored signal would be inherited,
 * so `gunzip` would print "Broken pipe" errors instead of quietly dying when we stop reading);
 * every descriptor we open is close-on-exec, so a second pipe's child never holds the first
 * pipe's end open; and we keep the pid, so the exit status can be checked and reported at close.
 */
#include "io/stream.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/kio.h"
#include "io/table.h"

extern char **environ;

/* Archive reads and writes go through large stdio buffers. */
#define SK_STREAM_BUF (256 * 1024)

struct sk_input {
    FILE *f;
    char *name;
    sk_rx_kind kind;
    pid_t pid;          /* pipe child, or 0 */
    char *buf;          /* our stdio buffer, or NULL */
};

struct sk_output {
    FILE *f;
    char *name;
    sk_wx_kind kind;
    pid_t pid;
    char *buf;
    char *tmp;          /* atomic: the temporary being written, renamed at close */
};

/* ---- classification ---- */

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Row 5 of io.md 1.1 / row 4 of 1.2: "ark:x" must never be taken as a file name. */
static bool looks_like_specifier(const char *s)
{
    if ((s[0] != 'a' && s[0] != 's') || !strchr(s, ':'))
        return false;
    sk_spec sp;
    if (sk_classify_wspecifier(s, &sp) != SK_SPEC_NONE) {
        sk_spec_release(&sp);
        return true;
    }
    if (sk_classify_rspecifier(s, &sp) != SK_SPEC_NONE) {
        sk_spec_release(&sp);
        return true;
    }
    return false;
}

/* "name:123": the position of the ':' before the trailing digits, or -1. */
static ssize_t offset_colon(const char *s, size_t len)
{
    if (len == 0 || !isdigit((unsigned char)s[len - 1]))
        return -1;
    ssize_t i = (ssize_t)len - 1;
    while (i >= 0 && isdigit((unsigned char)s[i]))
        i--;
    if (i >= 0 && s[i] == ':')
        return i;
    return -1;
}

sk_rx_kind sk_classify_rxfilename(const char *rx)
{
    size_t len = rx ? strlen(rx) : 0;
    if (len == 0 || (len == 1 && rx[0] == '-'))
        return SK_RX_STDIN;
    char first = rx[0], last = rx[len - 1];
    if (first == '|')
        return SK_RX_INVALID;
    if (last == '|')
        return SK_RX_PIPE;
    if (is_space(first) || is_space(last))
        return SK_RX_INVALID;
    if (looks_like_specifier(rx))
        return SK_RX_INVALID;
    if (offset_colon(rx, len) >= 0)
        return SK_RX_OFFSET;
    if (strchr(rx, '|')) {
        SK_WARN("Trying to classify rxfilename with pipe symbol in the wrong place (pipe without | at the end?): %s",
                rx);
        return SK_RX_INVALID;
    }
    return SK_RX_FILE;
}

sk_wx_kind sk_classify_wxfilename(const char *wx)
{
    size_t len = wx ? strlen(wx) : 0;
    if (len == 0 || (len == 1 && wx[0] == '-'))
        return SK_WX_STDOUT;
    char first = wx[0], last = wx[len - 1];
    if (first == '|')
        return SK_WX_PIPE;
    if (is_space(first) || is_space(last) || last == '|')
        return SK_WX_INVALID;
    if (looks_like_specifier(wx))
        return SK_WX_INVALID;
    if (offset_colon(wx, len) >= 0)
        return SK_WX_INVALID;
    if (strchr(wx, '|')) {
        SK_WARN("Trying to classify wxfilename with pipe symbol in the wrong place (pipe without | at the beginning?): %s",
                wx);
        return SK_WX_INVALID;
    }
    return SK_WX_FILE;
}

bool sk_rx_split_offset(const char *rx, size_t *path_len, int64_t *offset)
{
    size_t len = strlen(rx);
    ssize_t c = offset_colon(rx, len);
    if (c < 0)
        return false;
    errno = 0;
    long long v = strtoll(rx + c + 1, NULL, 10);
    if (errno)
        return false;
    *path_len = (size_t)c;
    *offset = v;
    return true;
}

const char *sk_printable_rx(const char *rx)
{
    if (!rx || !*rx || !strcmp(rx, "-"))
        return "standard input";
    return sk_escape(rx);
}

const char *sk_printable_wx(const char *wx)
{
    if (!wx || !*wx || !strcmp(wx, "-"))
        return "standard output";
    return sk_escape(wx);
}

/* ---- pipes ---- */

/* Start "/bin/sh -c cmd" with its stdin (to_child) or stdout (!to_child) on a pipe; returns our
 * end of the pipe and sets *pid, or -1. */
static int spawn_pipe(const char *cmd, bool to_child, pid_t *pid)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    int ours = to_child ? fds[1] : fds[0];
    int theirs = to_child ? fds[0] : fds[1];
    int target = to_child ? 0 : 1;

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    if (theirs == target) {
        /* Only possible if fd 0/1 was closed; clear close-on-exec by re-dup'ing elsewhere. */
        int d = fcntl(theirs, F_DUPFD_CLOEXEC, 3);
        close(theirs);
        theirs = d;
    }
    posix_spawn_file_actions_adddup2(&fa, theirs, target);
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
    char *argv[] = { "sh", "-c", (char *)cmd, NULL };
    int rc = posix_spawn(pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(theirs);
    if (rc != 0) {
        close(ours);
        errno = rc;
        return -1;
    }
    return ours;
}

/* Wait for a pipe child; 0 if it succeeded. early_close: we stopped reading before EOF, so a
 * death by SIGPIPE (or a shell reporting 128+SIGPIPE) is our doing, not a failure. */
static int wait_pipe(pid_t pid, const char *cmd, bool early_close)
{
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            SK_ERROR("Cannot get the exit status of pipe command '%s': %s", cmd, strerror(errno));
            return SK_EIO;
        }
    }
    if (WIFEXITED(st)) {
        int code = WEXITSTATUS(st);
        if (code == 0 || (early_close && code == 128 + SIGPIPE))
            return 0;
        SK_ERROR("Pipe '%s' exited with status %d", cmd, code);
        return SK_EIO;
    }
    if (WIFSIGNALED(st)) {
        if (early_close && WTERMSIG(st) == SIGPIPE)
            return 0;
        SK_ERROR("Pipe '%s' was killed by signal %d", cmd, WTERMSIG(st));
        return SK_EIO;
    }
    return 0;
}

static char *trim_cmd(const char *s, size_t len)
{
    while (len && is_space((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && is_space((unsigned char)s[len - 1]))
        len--;
    return strndup(s, len);
}

/* Buffer size of the next input opened by sk_input_open (set by sk_input_open_buf). */
static size_t next_in_buf = SK_STREAM_BUF;

static void set_buffer(FILE *f, char **buf, size_t size)
{
    *buf = malloc(size);
    if (*buf)
        setvbuf(f, *buf, _IOFBF, size);
}

static void set_big_buffer(FILE *f, char **buf)
{
    set_buffer(f, buf, SK_STREAM_BUF);
}

/* stdin/stdout get a big buffer once, if nothing has used them yet (setvbuf after I/O is
 * undefined; a stream that has done I/O already has a buffer). */
static void std_buffer(FILE *f)
{
    static bool done_in, done_out;
    bool *done = f == stdin ? &done_in : &done_out;
    if (*done)
        return;
    *done = true;
    if (__fbufsize(f) != 0)
        return;
    static char *bin, *bout;
    char **b = f == stdin ? &bin : &bout;
    *b = malloc(SK_STREAM_BUF);
    if (*b)
        setvbuf(f, *b, _IOFBF, SK_STREAM_BUF);
}

/* ---- input ---- */

sk_input *sk_input_open(const char *rx)
{
    if (!rx)
        rx = "";
    sk_rx_kind kind = sk_classify_rxfilename(rx);
    sk_input *in = calloc(1, sizeof *in);
    if (!in || !(in->name = strdup(rx))) {
        free(in);
        SK_ERROR("Out of memory opening %s", rx);
        return NULL;
    }
    in->kind = kind;
    switch (kind) {
    case SK_RX_INVALID:
        SK_WARN("Invalid input filename format %s", sk_printable_rx(rx));
        SK_ERROR("Error opening input stream %s", sk_printable_rx(rx));
        goto fail;
    case SK_RX_STDIN:
        std_buffer(stdin);
        in->f = stdin;
        return in;
    case SK_RX_FILE:
        in->f = fopen(rx, "rbe");
        if (!in->f) {
            SK_ERROR("Error opening input stream %s: %s", sk_printable_rx(rx), strerror(errno));
            goto fail;
        }
        set_buffer(in->f, &in->buf, next_in_buf);
        return in;
    case SK_RX_OFFSET: {
        size_t plen;
        int64_t off;
        char *path = NULL;
        if (!sk_rx_split_offset(rx, &plen, &off) || !(path = strndup(rx, plen))) {
            SK_ERROR("Invalid offset in input filename %s", sk_printable_rx(rx));
            goto fail;
        }
        in->f = fopen(path, "rbe");
        if (!in->f) {
            SK_ERROR("Error opening input stream %s: %s", sk_printable_rx(path), strerror(errno));
            free(path);
            goto fail;
        }
        free(path);
        set_buffer(in->f, &in->buf, next_in_buf);
        if (fseeko(in->f, (off_t)off, SEEK_SET) != 0) {
            SK_ERROR("Cannot seek to offset %lld in %s: %s", (long long)off, sk_printable_rx(rx),
                     strerror(errno));
            fclose(in->f);
            goto fail;
        }
        return in;
    }
    case SK_RX_PIPE: {
        char *cmd = trim_cmd(rx, strlen(rx) - 1);
        int fd = cmd ? spawn_pipe(cmd, false, &in->pid) : -1;
        if (fd < 0) {
            SK_ERROR("Failed opening pipe for reading, command is: %s, errno is %s", cmd ? cmd : rx,
                     strerror(errno));
            free(cmd);
            goto fail;
        }
        free(cmd);
        in->f = fdopen(fd, "rb");
        if (!in->f) {
            close(fd);
            wait_pipe(in->pid, rx, true);
            goto fail;
        }
        set_big_buffer(in->f, &in->buf);
        return in;
    }
    }
fail:
    free(in->buf);
    free(in->name);
    free(in);
    return NULL;
}

sk_input *sk_input_open_buf(const char *rx, size_t bufsize)
{
    next_in_buf = bufsize ? bufsize : SK_STREAM_BUF;
    sk_input *in = sk_input_open(rx);
    next_in_buf = SK_STREAM_BUF;
    return in;
}

sk_input *sk_input_open_mem(const void *buf, size_t len)
{
    sk_input *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    static char empty[1];
    /* fmemopen of size 0 is refused by some glibc versions: use a 1-byte buffer at EOF. */
    in->f = len ? fmemopen((void *)buf, len, "r") : fmemopen(empty, 1, "r");
    if (!in->f) {
        free(in);
        SK_ERROR("Cannot open a memory buffer of %zu bytes for reading", len);
        return NULL;
    }
    if (!len)
        fseek(in->f, 1, SEEK_SET), (void)getc(in->f);
    in->name = strdup("memory buffer");
    in->kind = SK_RX_FILE;
    return in;
}

FILE *sk_input_file(sk_input *in) { return in->f; }
const char *sk_input_name(const sk_input *in) { return in->name; }

int sk_input_close(sk_input *in)
{
    if (!in)
        return 0;
    int st = 0;
    bool early = !feof(in->f);
    if (ferror(in->f)) {
        SK_ERROR("Read error on %s", sk_printable_rx(in->name));
        st = SK_EIO;
    }
    if (in->f == stdin) {
        clearerr(stdin);
    } else {
        fclose(in->f);
    }
    if (in->pid > 0) {
        char *cmd = trim_cmd(in->name, strlen(in->name) - 1);
        if (wait_pipe(in->pid, cmd ? cmd : in->name, early) < 0)
            st = SK_EIO;
        free(cmd);
    }
    free(in->buf);
    free(in->name);
    free(in);
    return st;
}

sk_input *sk_input_open_object(const char *rx, bool *binary)
{
    sk_input *in = sk_input_open(rx);
    if (!in)
        return NULL;
    if (sk_read_binary_header(in->f, binary) < 0) {
        SK_ERROR("Invalid binary header reading %s", sk_printable_rx(rx));
        sk_input_close(in);
        return NULL;
    }
    return in;
}

/* ---- output ---- */

static void remove_tmp(void *ctx)
{
    sk_output *out = ctx;
    if (out->tmp)
        unlink(out->tmp);
}

sk_output *sk_output_open(const char *wx, bool atomic)
{
    if (!wx)
        wx = "";
    sk_wx_kind kind = sk_classify_wxfilename(wx);
    sk_output *out = calloc(1, sizeof *out);
    if (!out || !(out->name = strdup(wx))) {
        free(out);
        SK_ERROR("Out of memory opening %s", wx);
        return NULL;
    }
    out->kind = kind;
    switch (kind) {
    case SK_WX_INVALID:
        SK_WARN("Invalid output filename format %s", sk_printable_wx(wx));
        SK_ERROR("Error opening output stream %s", sk_printable_wx(wx));
        goto fail;
    case SK_WX_STDOUT:
        std_buffer(stdout);
        out->f = stdout;
        return out;
    case SK_WX_FILE: {
        struct stat sb;
        /* Only a regular (or new) file can be replaced by rename: /dev/null stays direct. */
        if (atomic && (stat(wx, &sb) != 0 || S_ISREG(sb.st_mode))) {
            size_t n = strlen(wx) + 32;
            out->tmp = malloc(n);
            if (!out->tmp)
                goto fail;
            snprintf(out->tmp, n, "%s.tmp.%ld", wx, (long)getpid());
            out->f = fopen(out->tmp, "wbe");
            if (out->f)
                sk_atexit_hook(remove_tmp, out);
        } else {
            out->f = fopen(wx, "wbe");
        }
        if (!out->f) {
            SK_ERROR("Error opening output stream %s: %s", sk_printable_wx(wx), strerror(errno));
            goto fail;
        }
        set_big_buffer(out->f, &out->buf);
        return out;
    }
    case SK_WX_PIPE: {
        char *cmd = trim_cmd(wx + 1, strlen(wx) - 1);
        int fd = cmd ? spawn_pipe(cmd, true, &out->pid) : -1;
        if (fd < 0) {
            SK_ERROR("Failed opening pipe for writing, command is: %s, errno is %s", cmd ? cmd : wx,
                     strerror(errno));
            free(cmd);
            goto fail;
        }
        free(cmd);
        out->f = fdopen(fd, "wb");
        if (!out->f) {
            close(fd);
            goto fail;
        }
        set_big_buffer(out->f, &out->buf);
        return out;
    }
    }
fail:
    free(out->tmp);
    free(out->buf);
    free(out->name);
    free(out);
    return NULL;
}

FILE *sk_output_file(sk_output *out) { return out->f; }
const char *sk_output_name(const sk_output *out) { return out->name; }

static void output_free(sk_output *out)
{
    if (out->tmp)
        sk_atexit_remove(remove_tmp, out);
    free(out->tmp);
    free(out->buf);
    free(out->name);
    free(out);
}

int sk_output_close(sk_output *out)
{
    if (!out)
        return 0;
    int st = 0;
    const char *pn = sk_printable_wx(out->name);
    if (fflush(out->f) != 0 || ferror(out->f)) {
        SK_ERROR("Write failure on %s: %s", pn, strerror(errno));
        st = SK_EIO;
    }
    if (out->f == stdout) {
        if (st < 0)
            clearerr(stdout);
    } else {
        if (out->tmp && st == 0 && fsync(fileno(out->f)) != 0 && errno != EINVAL) {
            SK_ERROR("Write failure on %s (fsync): %s", pn, strerror(errno));
            st = SK_EIO;
        }
        if (fclose(out->f) != 0 && st == 0) {
            SK_ERROR("Write failure on %s (close): %s", sk_printable_wx(out->name), strerror(errno));
            st = SK_EIO;
        }
    }
    if (out->pid > 0) {
        char *cmd = trim_cmd(out->name + 1, strlen(out->name) - 1);
        if (wait_pipe(out->pid, cmd ? cmd : out->name, false) < 0)
            st = SK_EIO;
        free(cmd);
    }
    if (out->tmp) {
        if (st == 0 && rename(out->tmp, out->name) != 0) {
            SK_ERROR("Cannot rename %s to %s: %s", out->tmp, out->name, strerror(errno));
            st = SK_EIO;
        }
        if (st < 0)
            unlink(out->tmp);
    }
    output_free(out);
    return st;
}

void sk_output_abort(sk_output *out)
{
    if (!out)
        return;
    if (out->f == stdout) {
        fflush(stdout);
    } else {
        fclose(out->f);
    }
    if (out->pid > 0) {
        int stt;
        while (waitpid(out->pid, &stt, 0) < 0 && errno == EINTR)
            ;
    }
    if (out->tmp)
        unlink(out->tmp);
    output_free(out);
}

sk_output *sk_output_open_object(const char *wx, bool binary, bool atomic)
{
    sk_output *out = sk_output_open(wx, atomic);
    if (!out)
        return NULL;
    if (binary && fwrite("\0B", 1, 2, out->f) != 2) {
        SK_ERROR("Write failure on %s", sk_printable_wx(wx));
        sk_output_abort(out);
        return NULL;
    }
    return out;
}

int sk_read_all(const char *rx, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    sk_input *in = sk_input_open(rx);
    if (!in)
        return SK_EIO;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        sk_input_close(in);
        return SK_EIO;
    }
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, in->f);
        n += got;
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            sk_input_close(in);
            SK_ERROR("Out of memory reading %s", sk_printable_rx(rx));
            return SK_EIO;
        }
        buf = nb;
        cap *= 2;
    }
    buf[n] = 0;
    if (sk_input_close(in) < 0) {
        free(buf);
        return SK_EIO;
    }
    *data = buf;
    *len = n;
    return 0;
}
