/* proto.h — nnet-initialize prototypes (spec/nnet1.md §2).
 *
 *     <NnetProto>
 *     <AffineTransform> <InputDim> 440 <OutputDim> 1024 <BiasMean> -2 <ParamStddev> 0.1
 *     <Sigmoid> <InputDim> 1024 <OutputDim> 1024
 *     </NnetProto>
 *
 * Random numbers come from C rand() seeded by the caller's srand(seed), drawn in component
 * order, parameter order, row-major, as Kaldi does (Gaussian: Box-Muller on
 * u = (rand()+1)/(RAND_MAX+2); uniform: rand()/RAND_MAX).
 */
#ifndef SK_NNET_PROTO_H
#define SK_NNET_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "nnet/nnet.h"

/* The options of one prototype line: (token, value words) pairs, in order. A value may span
 * several words ("<BuildVector> -5:5 </BuildVector>", "<ReadVector> [ -1 0 1 ]"). */
struct sk_proto_opts {
    const char *marker;
    int n;
    char *tok[64];
    char *val[64];      /* the value words joined by single spaces ("" if none) */
    bool used[64];
};

/* Look up an option (marks it used). false if absent. *ok set false on a bad value (ERROR). */
const char *sk_proto_get(sk_proto_opts *po, const char *tok);
bool sk_proto_float(sk_proto_opts *po, const char *tok, float *v, bool *ok);
bool sk_proto_int(sk_proto_opts *po, const char *tok, int32_t *v, bool *ok);

/* Random draws as Kaldi's (C rand()). */
float sk_rand_gauss(void);
float sk_rand_uniform01(void);

/* Build a network from a prototype file (rxfilename) and append it to nn; each line is logged
 * at verbose level 1. 0 or < 0 (ERROR printed: unknown component or option, bad dims). */
int sk_nnet_init_proto(sk_nnet *nn, const char *proto_rxfilename);

#endif
