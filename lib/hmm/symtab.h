/* symtab.h — OpenFst text symbol tables (phones.txt, words.txt): one "symbol id" pair a line,
 * separated by spaces or tabs. Used to print phones by name (show-alignments, analyze-counts
 * --symbol-table).
 *
 *     sk_symtab *st = sk_symtab_read("data/lang/phones.txt");   // NULL: ERROR printed
 *     const char *s = sk_symtab_find(st, 5);                    // NULL when absent
 *     sk_symtab_free(st);
 *
 * Ownership: sk_symtab_read allocates; sk_symtab_free frees. Strings returned by
 * sk_symtab_find belong to the table.
 */
#ifndef SK_HMM_SYMTAB_H
#define SK_HMM_SYMTAB_H

#include <stdint.h>

typedef struct sk_symtab sk_symtab;

/* Reads an rxfilename; a line without exactly two fields, or with a bad id, is an error
 * (naming the file and line). */
sk_symtab *sk_symtab_read(const char *rxfilename);
/* The symbol of id, or NULL. With duplicate ids the last line wins. */
const char *sk_symtab_find(const sk_symtab *st, int64_t id);
void sk_symtab_free(sk_symtab *st);

#endif
