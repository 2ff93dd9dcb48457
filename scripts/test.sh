#!/usr/bin/env bash
# The whole test suite: sets up the machine, checks the formatting, builds, and runs every test
# through ctest — once in a normal build (with the install and Debian package tests) and once
# under AddressSanitizer and UndefinedBehaviorSanitizer. ctest starts the
# throwaway PostgreSQL and MariaDB servers the SQL tests need (loopback ports, temporary
# directories) and stops them at the end of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all
jobs=$(nproc)

echo "== format =="
bash scripts/check_format.sh

echo "== the README's first command: scripts/demo.sh (its build, then the demo) =="
demo_dir=$(mktemp -d)
bash scripts/demo.sh --cache "lmdb:$demo_dir/demo-cache" --delay-ms 10
rm -rf "$demo_dir"

echo "== normal build =="
bash scripts/build.sh -DAHVN_WERROR=ON -DAHVN_BUILD_TESTS=ON -DAHVN_BUILD_BENCH=ON
(cd build && ctest --output-on-failure -j "$jobs" --timeout 300)

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build =="
BUILD_DIR=build-asan bash scripts/build.sh -DAHVN_WERROR=ON -DAHVN_SANITIZE=address,undefined \
  -DAHVN_BUILD_TESTS=ON -DAHVN_BUILD_BENCH=OFF
(cd build-asan && ctest --output-on-failure -j "$jobs" --timeout 600)
