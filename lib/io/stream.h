/* stream.h — Kaldi's extended filenames (spec/io.md §1).
 *
 * rxfilename (input):  "" or "-" = stdin, "cmd |" = input pipe, "file:123" = file at byte
 * offset 123, otherwise a file. wxfilename (output): "" or "-" = stdout, "| cmd" = output
 * pipe, otherwise a file (truncated).
 *
 *     sk_input *in = sk_input_open("gunzip -c ali.1.gz |");
 *     if (!in) return SK_EIO;                 // ERROR already printed
 *     FILE *f = sk_input_file(in);            // read with kio.h / stdio
 *     int st = sk_input_close(in);            // < 0 if the pipe failed (ERROR printed)
 *
 * Pipes are checked (unlike Kaldi, kaldi issue 476): a pipe command that exits non-zero or is
 * killed makes sk_input_close/sk_output_close print
 *     ERROR (...) Pipe 'cmd' exited with status 1
 * (or "was killed by signal N") and return SK_EIO. An input pipe closed before its end (a
 * reader that stopped early) may kill its command with SIGPIPE: that is not a failure. Pipe
 * commands run under /bin/sh -c with SIGPIPE at its default, whatever the tool does with it.
 *
 * An output opened on a regular file with atomic=true writes "<name>.tmp.<pid>" and renames it
 * into place on a successful sk_output_close; a failed close or a fatal exit removes the
 * temporary and leaves any old file intact (models are written this way).
 *
 * Ownership: sk_input/sk_output own their FILE*; close frees the handle in every case.
 */
#ifndef SK_IO_STREAM_H
#define SK_IO_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { SK_RX_INVALID, SK_RX_STDIN, SK_RX_PIPE, SK_RX_FILE, SK_RX_OFFSET } sk_rx_kind;
typedef enum { SK_WX_INVALID, SK_WX_STDOUT, SK_WX_PIPE, SK_WX_FILE } sk_wx_kind;

sk_rx_kind sk_classify_rxfilename(const char *rx);
sk_wx_kind sk_classify_wxfilename(const char *wx);

/* For an offset rxfilename "path:123": true, *path_len = strlen("path"), *offset = 123. */
bool sk_rx_split_offset(const char *rx, size_t *path_len, int64_t *offset);

/* "standard input"/"standard output" for "" and "-", else the shell-escaped name. Static
 * buffer (overwritten by the next call). */
const char *sk_printable_rx(const char *rx);
const char *sk_printable_wx(const char *wx);

typedef struct sk_input sk_input;
typedef struct sk_output sk_output;

/* Open for reading; NULL (ERROR/WARNING printed) on failure. An offset file is positioned. */
sk_input *sk_input_open(const char *rxfilename);
/* The same with a chosen stdio buffer size for a file (0: the default, 256 KiB). Readers that
 * seek around in a file (scp entries) use a smaller one, so a jump reads less. */
sk_input *sk_input_open_buf(const char *rxfilename, size_t bufsize);
/* Read from memory (copies nothing: buf must outlive the input). For tests and fuzzers. */
sk_input *sk_input_open_mem(const void *buf, size_t len);
FILE *sk_input_file(sk_input *in);
const char *sk_input_name(const sk_input *in);
/* Close; returns 0, or SK_EIO if a pipe command failed or a read error was seen. */
int sk_input_close(sk_input *in);

/* Open an object file and detect the binary header "\0B" (io.md 1.3): *binary is set and the
 * header consumed. NULL on failure. */
sk_input *sk_input_open_object(const char *rxfilename, bool *binary);

sk_output *sk_output_open(const char *wxfilename, bool atomic);
FILE *sk_output_file(sk_output *out);
const char *sk_output_name(const sk_output *out);
/* Flushes and closes; SK_EIO on a write error or failed pipe command (ERROR printed). */
int sk_output_close(sk_output *out);
/* Give up on an output: a temporary is removed, a pipe is closed. */
void sk_output_abort(sk_output *out);

/* Open an object file for writing and write the "\0B" header when binary. */
sk_output *sk_output_open_object(const char *wxfilename, bool binary, bool atomic);

/* Read a whole rxfilename into memory (for scp/text tables, small files). Caller frees *data.
 * Returns 0 or SK_EIO. */
int sk_read_all(const char *rxfilename, char **data, size_t *len);

#endif
