#!/usr/bin/env bash
# Installs every Debian 12 package ahvn-cache needs to build, test and benchmark.
# Run as root (or with sudo available). Safe to run again.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format
  # libraries
  libcaf-dev liblmdb-dev libsoci-dev libsqlite3-dev libpq-dev libmariadb-dev libssl-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libcpp-httplib-dev
  # tests and benchmarks
  catch2 libbenchmark-dev lmdb-utils sqlite3 python3 libboost-dev
  postgresql mariadb-server redis-server python3-diskcache
  libhiredis-dev # bench/: the Redis peer's client
)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
