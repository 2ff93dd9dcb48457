#!/usr/bin/env bash
# The main job: sets up the machine, builds, and runs the demo (arguments go to the demo).
# Installs and builds only what the demo needs: the libraries and the demo, in build-demo/
# (Release, tests and bench off, a unity build: each library compiles as a few large files,
# parsing CAF's headers a few times instead of forty, which halves the compile time). CI runs
# this build too (scripts/test.sh), so it cannot rot. scripts/test.sh builds everything in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
# -O2: GCC 12 at -O3 prints a false -Wrestrict warning in json.cpp. -Wno-subobject-linkage: in a
# unity build GCC takes each .cpp for a header and warns about its anonymous namespace.
BUILD_DIR=build-demo TARGETS=demo bash scripts/build.sh -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS="-Wno-subobject-linkage" \
  -DAHVN_BUILD_TESTS=OFF -DAHVN_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON
exec ./build-demo/apps/ahvn-demo "$@"
