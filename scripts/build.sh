#!/usr/bin/env bash
# Configures and builds ahvn-cache into BUILD_DIR (default: build/). Extra arguments go to cmake;
# TARGETS (space-separated) builds only those targets (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
# Let ccache reuse objects compiled in another checkout of the same sources (CI clones afresh).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > /dev/null
# shellcheck disable=SC2086 # TARGETS is a list
cmake --build "$build_dir" ${TARGETS:+--target $TARGETS}
