#!/usr/bin/env bash
# The whole test suite: sets up the machine, builds, and runs every test through ctest. ctest
# starts the throwaway PostgreSQL and MariaDB servers the SQL tests need (on loopback ports, in
# temporary directories) and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DAHVN_WERROR=ON
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 300
