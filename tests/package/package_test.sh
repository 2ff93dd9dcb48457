#!/usr/bin/env bash
# The installed library as a user gets it. Run by ctest (tests/package/CMakeLists.txt):
#
#   package_test.sh install SOURCE_DIR BUILD_DIR VERSION
#     cmake --install BUILD_DIR into a temporary prefix; checks the layout (every header under
#     ahvn/, the libraries, the programs, the CMake package, the find modules, ahvn_cache.pc);
#     runs every installed program's --version and cachectl; builds examples/quickstart against the prefix with
#     find_package(ahvn_cache) and with pkg-config, and runs both.
#   package_test.sh deb SOURCE_DIR BUILD_DIR VERSION
#     cpack -G DEB; checks the two packages' names, contents and Depends; unpacks both with
#     dpkg -x into a temporary root; runs cachectl from there; builds and runs examples/quickstart
#     against that root with find_package(ahvn_cache).
#
# Every failure is loud: the step is named and the script exits non-zero.
set -euo pipefail

mode=$1 src=$2 build=$3 version=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/ahvn-package-$mode.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  echo "package_test $mode: FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }
# run LOG CMD...: runs CMD with its output in LOG, shown only when it fails.
run() {
  local log=$1
  shift
  if ! "$@" > "$log" 2>&1; then
    cat "$log" >&2
    fail "$*"
  fi
}
expect_file() { [ -e "$1" ] || fail "missing: ${1#"$work"/}"; }

# The prefix's library directory: lib, or lib/<multiarch> on a configuration that chose it.
libdir_of() {
  local prefix=$1 pc
  pc=$(find "$prefix" -name ahvn_cache.pc -path '*/pkgconfig/*' | head -n 1)
  [ -n "$pc" ] || fail "no ahvn_cache.pc under ${prefix#"$work"/}"
  dirname "$(dirname "$pc")"
}

# depends_on DEB ITEM: DEB's Depends lists ITEM ("pkg" matches "pkg (>= 1)"; "pkg (= 1)" exactly).
depends_on() {
  local deb=$1 want=$2 item
  local -a items
  IFS=',' read -r -a items <<< "$(dpkg-deb -f "$deb" Depends)"
  for item in "${items[@]}"; do
    item=${item# }
    if [ "$item" = "$want" ] || [ "${item%% *}" = "$want" ]; then
      return 0
    fi
  done
  fail "$(basename "$deb") does not depend on $want"
}

# check_programs BINDIR: every installed program prints the project version for --version (a
# new app in ahvn_install_apps() is checked without touching this script); cachectl works.
check_programs() {
  local bindir=$1 bin out
  expect_file "$bindir/cachectl"
  expect_file "$bindir/ahvn-demo"
  for bin in "$bindir"/*; do
    out=$("$bin" --version) || fail "$(basename "$bin") --version exited $?"
    [ "$out" = "$version" ] ||
      fail "$(basename "$bin") --version printed '$out', expected '$version'"
    echo "$(basename "$bin") --version: $out"
  done
  out=$("$bindir/cachectl" key add '{"x": 5, "y": 10}') || fail "installed cachectl key exited $?"
  [ "${out%%$'\n'*}" = 6452910756379405413525593858603593943 ] ||
    fail "installed cachectl key printed '$out'"
}

# build_with_cmake PREFIX: configures examples/quickstart against PREFIX alone, builds it, runs it
# twice (the second run must find every value on disk).
build_with_cmake() {
  local prefix=$1 ex=$work/quickstart-cmake
  step "examples/quickstart with find_package(ahvn_cache), CMAKE_PREFIX_PATH=${prefix#"$work"/}"
  run "$work/configure.log" cmake -S "$src/examples/quickstart" -B "$ex" -G Ninja \
    -DCMAKE_PREFIX_PATH="$prefix"
  grep -q "ahvn_cache $version from $prefix/" "$work/configure.log" ||
    fail "find_package did not take ahvn_cache $version from the prefix: $(grep ahvn_cache "$work/configure.log")"
  run "$work/build.log" cmake --build "$ex"
  run_quickstart "$ex/quickstart"
}

# run_quickstart BINARY: a cold run computes fibonacci's 31 values, a warm one none.
run_quickstart() {
  local bin=$1 cache out
  cache=$(mktemp -d "$work/cache.XXXXXX")
  out=$("$bin" "$cache") || fail "quickstart (cold) exited $?: $out"
  echo "$out"
  grep -q "fibonacci(30) = 832040, computed 31 values" <<< "$out" || fail "cold run: $out"
  out=$("$bin" "$cache") || fail "quickstart (warm) exited $?: $out"
  grep -q "computed 0 values" <<< "$out" || fail "warm run recomputed: $out"
  grep -q "^ok$" <<< "$out" || fail "warm run: $out"
}

case "$mode" in
  install)
    prefix=$work/prefix
    step "cmake --install into ${prefix#"$work"/}"
    run "$work/install.log" cmake --install "$build" --prefix "$prefix"
    libdir=$(libdir_of "$prefix")
    while IFS= read -r header; do
      expect_file "$prefix/include/${header#"$src"/}"
    done < <(find "$src/ahvn" -name '*.hpp')
    expect_file "$prefix/include/ahvn/version.hpp"
    for lib in messages backends actors; do
      compgen -G "$libdir/libahvn_$lib.*" > /dev/null || fail "missing: libahvn_$lib in $libdir"
    done
    for f in ahvn_cacheConfig.cmake ahvn_cacheConfigVersion.cmake ahvn_cacheTargets.cmake \
      FindCAF.cmake FindSOCI.cmake FindLMDB.cmake; do
      expect_file "$libdir/cmake/ahvn_cache/$f"
    done
    check_programs "$prefix/bin"

    build_with_cmake "$prefix"

    step "examples/quickstart with pkg-config"
    export PKG_CONFIG_PATH=$libdir/pkgconfig
    [ "$(pkg-config --modversion ahvn_cache)" = "$version" ] || fail "pkg-config --modversion"
    # shellcheck disable=SC2046 # pkg-config prints several flags
    run "$work/pc-build.log" c++ -std=c++20 "$src/examples/quickstart/main.cpp" \
      -o "$work/quickstart-pc" $(pkg-config --cflags --libs ahvn_cache)
    LD_LIBRARY_PATH=$libdir run_quickstart "$work/quickstart-pc"
    ;;

  deb)
    step "cpack -G DEB"
    run "$work/cpack.log" cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/debs"
    arch=$(dpkg --print-architecture)
    runtime=$work/debs/ahvn-cache_${version}_${arch}.deb
    dev=$work/debs/ahvn-cache-dev_${version}_${arch}.deb
    expect_file "$runtime"
    expect_file "$dev"
    for deb in "$runtime" "$dev"; do
      echo "$(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"
    done
    for pkg in libcaf-core0.17 liblmdb0 libsoci-core4.0 libsoci-sqlite3-4.0 libspdlog1.10-fmt9 libstdc++6; do
      depends_on "$runtime" "$pkg"
    done
    for pkg in libcaf-dev liblmdb-dev libsoci-dev nlohmann-json3-dev libspdlog-dev libssl-dev; do
      depends_on "$dev" "$pkg"
    done
    depends_on "$dev" "ahvn-cache (= $version)"
    runtime_files=$(dpkg-deb -c "$runtime")
    dev_files=$(dpkg-deb -c "$dev")
    grep -q '/usr/bin/cachectl$' <<< "$runtime_files" || fail "ahvn-cache lacks cachectl"
    grep -q '/usr/include/' <<< "$runtime_files" && fail "ahvn-cache ships headers"
    grep -q '/usr/bin/' <<< "$dev_files" && fail "ahvn-cache-dev ships programs"
    grep -q '/usr/include/ahvn/cache.hpp$' <<< "$dev_files" || fail "ahvn-cache-dev lacks ahvn/cache.hpp"

    step "dpkg -x both into a temporary root"
    root=$work/root
    dpkg-deb -x "$runtime" "$root"
    dpkg-deb -x "$dev" "$root"
    check_programs "$root/usr/bin"
    build_with_cmake "$root/usr"
    ;;

  *) fail "unknown mode (expected install or deb)" ;;
esac
echo "package_test $mode: passed"
