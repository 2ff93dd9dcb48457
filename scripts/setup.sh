#!/usr/bin/env bash
# Installs the Debian 12 packages ahvn-cache needs. Run as root (or with sudo available). Safe to
# run again: when every package is already installed it does nothing.
#
#   setup.sh [all]   everything to build, test, package and benchmark (scripts/test.sh)
#   setup.sh demo    only what building the libraries and the demo needs (scripts/demo.sh)
set -euo pipefail

profile=${1:-all}

demo_packages=(
  # toolchain
  build-essential cmake ninja-build ccache
  # the libraries' dependencies (SOCI's headers include Boost's, and its back-ends' headers
  # SQLite's, libpq's and MariaDB's)
  libcaf-dev liblmdb-dev libsoci-dev libboost-dev libsqlite3-dev libpq-dev libmariadb-dev
  libssl-dev nlohmann-json3-dev libspdlog-dev libcpp-httplib-dev pkg-config
  # apps
  libcli11-dev
)
all_packages=(
  "${demo_packages[@]}"
  clang-format
  # tests and benchmarks
  catch2 libbenchmark-dev lmdb-utils sqlite3 python3
  postgresql mariadb-server redis-server python3-diskcache
  libhiredis-dev # bench/: the Redis peer's client
  dpkg-dev file  # cpack -G DEB (dpkg-shlibdeps) and the package tests
)

case "$profile" in
  demo) packages=("${demo_packages[@]}") ;;
  all) packages=("${all_packages[@]}") ;;
  *)
    echo "setup.sh: unknown profile '$profile' (expected: demo or all)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
