#!/bin/sh
# install-deps.sh — install what skald needs to build, test and run its recipe (Debian/Ubuntu).
# Run as root or with sudo. Optional parts (CUDA, NCCL) are described in INSTALL.
set -eu
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential pkg-config perl libopenblas-dev libfftw3-dev libsndfile1-dev \
    sox flac libfst-tools libopenmpi-dev openmpi-bin gnuplot-nox >/dev/null
echo "skald dependencies installed"
