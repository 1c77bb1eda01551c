/* topo.h — a depth-first topological order, shared by compact lattices (lattice.c) and the
 * lattice generator's trellis (latgen.c).
 *
 * Nodes are 0..n-1; the search starts from root(ctx, 0), root(ctx, 1), ...,
 * root(ctx, nroots - 1) in that order; next(ctx, node, &cursor) gives the successor at cursor
 * and advances it (-1 when there is none left), starting from first(ctx, node). The result is
 * the reversed finishing order (malloc'ed, n + 1 entries, the caller frees), or NULL on a
 * cycle or out of memory (nothing printed).
 *
 * static inline on purpose: each caller passes constant callbacks, which the compiler then
 * inlines into the loop (through pointers the walk costs about a tenth more of latgen's time). */
#ifndef SK_LAT_TOPO_H
#define SK_LAT_TOPO_H

#include <stdint.h>
#include <stdlib.h>

typedef struct {
    int32_t (*root)(const void *ctx, int32_t i);
    int32_t (*first)(const void *ctx, int32_t node);
    int32_t (*next)(const void *ctx, int32_t node, int32_t *cursor);
} sk_graph_walk;

static inline int32_t *sk_topo_order(int32_t n, int32_t nroots, const sk_graph_walk *w,
                                      const void *ctx)
{
    int32_t *order = malloc(sizeof(int32_t) * (size_t)(n + 1));
    int8_t *color = calloc((size_t)n + 1, 1);
    int32_t *stack = malloc(sizeof(int32_t) * (size_t)(n + 1));
    int32_t *it = malloc(sizeof(int32_t) * (size_t)(n + 1));
    if (!order || !color || !stack || !it)
        goto fail;
    int32_t pos = n;
    for (int32_t r = 0; r < nroots; r++) {
        int32_t root = w->root(ctx, r);
        if (color[root])
            continue;
        int32_t sp = 0;
        stack[sp] = root;
        it[sp++] = w->first(ctx, root);
        color[root] = 1;
        while (sp > 0) {
            int32_t s = stack[sp - 1];
            int32_t t = w->next(ctx, s, &it[sp - 1]);
            if (t >= 0) {
                if (color[t] == 1)
                    goto fail; /* cycle */
                if (!color[t]) {
                    color[t] = 1;
                    stack[sp] = t;
                    it[sp++] = w->first(ctx, t);
                }
            } else {
                color[s] = 2;
                order[--pos] = s;
                sp--;
            }
        }
    }
    free(color);
    free(stack);
    free(it);
    return order;
fail:
    free(order);
    free(color);
    free(stack);
    free(it);
    return NULL;
}

#endif
