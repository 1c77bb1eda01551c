#!/bin/sh
# make_nnet_proto.sh — write an nnet1 prototype (nnet-initialize input) for a sigmoid DNN:
#   utils/make_nnet_proto.sh [--bias-mean M] [--bias-range R] FEAT_DIM NUM_TARGETS HID_LAYERS HID_DIM
# Weights are drawn with stddev K/sqrt(fan_in): K = 1 for the first layer (normalised inputs),
# 3.5 for sigmoid-to-sigmoid layers, 4 for the output layer; hidden biases are uniform in
# [M - R/2, M + R/2] (default -2, 4) so sigmoids start in their sensitive range.
set -eu
bias_mean=-2.0
bias_range=4.0
while [ $# -gt 4 ]; do
    case "$1" in
    --bias-mean) bias_mean=$2; shift 2 ;;
    --bias-range) bias_range=$2; shift 2 ;;
    *) echo "$0: unknown option $1" >&2; exit 1 ;;
    esac
done
[ $# -eq 4 ] || { echo "usage: $0 [opts] FEAT_DIM NUM_TARGETS HID_LAYERS HID_DIM" >&2; exit 1; }
awk -v fd="$1" -v nt="$2" -v nl="$3" -v hd="$4" -v bm="$bias_mean" -v br="$bias_range" 'BEGIN {
    if (fd < 1 || nt < 1 || nl < 0 || hd < 1) { print "make_nnet_proto.sh: bad dimensions" > "/dev/stderr"; exit 1 }
    print "<NnetProto>"
    in_dim = fd
    for (l = 0; l < nl; l++) {
        k = (l == 0) ? 1.0 : 3.5
        printf "<AffineTransform> <InputDim> %d <OutputDim> %d <BiasMean> %f <BiasRange> %f <ParamStddev> %f <MaxNorm> 0.000000\n", in_dim, hd, bm, br, k / sqrt(in_dim)
        printf "<Sigmoid> <InputDim> %d <OutputDim> %d\n", hd, hd
        in_dim = hd
    }
    printf "<AffineTransform> <InputDim> %d <OutputDim> %d <BiasMean> 0.000000 <BiasRange> 0.000000 <ParamStddev> %f <LearnRateCoef> 1.000000 <BiasLearnRateCoef> 0.100000\n", in_dim, nt, (nl > 0 ? 4.0 : 1.0) / sqrt(in_dim)
    printf "<Softmax> <InputDim> %d <OutputDim> %d\n", nt, nt
    print "</NnetProto>"
}'
