#!/bin/sh
# plot_curve.sh — draw a training curve (curve.tsv from train_scheduler.sh: cross-entropy and
# frame accuracy per epoch, train vs cv) as a PNG with gnuplot.
# Usage: utils/plot_curve.sh <curve.tsv> <out.png>
set -eu
[ $# -eq 2 ] || { echo "usage: $0 <curve.tsv> <out.png>" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "$0: gnuplot not installed (apt-get install gnuplot-nox); no plot" >&2; exit 1; }
gnuplot <<GP
set terminal png size 900,420 font ",10"
set output "$2"
set datafile separator "\t"
set datafile missing "-"
set key autotitle columnhead
set multiplot layout 1,2 title "skald training curve"
set xlabel "epoch"; set ylabel "cross-entropy"; set grid
plot "$1" using 1:3 with linespoints title "train", "$1" using 1:5 with linespoints title "cv"
set ylabel "frame accuracy (%)"
plot "$1" using 1:4 with linespoints title "train", "$1" using 1:6 with linespoints title "cv"
unset multiplot
GP
