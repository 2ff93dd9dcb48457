# What `cmake --install` and `cpack -G DEB` ship (README "Installing"): the umbrella target
# ahvn::cache, every public header, the CMake package config ahvn_cache with its find modules,
# the pkg-config file ahvn_cache.pc, and the two Debian packages. Included by the top-level
# CMakeLists.txt after every library and app is defined.
#
# Install components: `runtime` (shared libraries, programs) goes into ahvn-cache.deb, `dev`
# (headers, static libraries, the .so links, CMake and pkg-config files, examples) into
# ahvn-cache-dev.deb. Every install() rule names one of the two.

include(CMakePackageConfigHelpers)
set(AHVN_SUMMARY "actor-based caching and memoization on CAF 0.17 (AgentHeaven's ahvn.cache in C++)")

# ahvn::cache: every library a user needs, in one target.
get_property(AHVN_LIBRARIES GLOBAL PROPERTY AHVN_LIBRARIES)
add_library(ahvn_cache INTERFACE)
add_library(ahvn::cache ALIAS ahvn_cache)
target_link_libraries(ahvn_cache INTERFACE ${AHVN_LIBRARIES})
set_target_properties(ahvn_cache PROPERTIES EXPORT_NAME cache)
install(TARGETS ahvn_cache EXPORT ahvn_cache_targets)

# Every header under ahvn/, keeping the layout (<ahvn/actors/caches/cache.hpp>), and the generated
# <ahvn/version.hpp>.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/ahvn/" "${AHVN_GENERATED_INCLUDE_DIR}/ahvn/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/ahvn" COMPONENT dev
  FILES_MATCHING PATTERN "*.hpp")

# The CMake package: find_package(ahvn_cache REQUIRED) gives ahvn::cache, ahvn::messages,
# ahvn::backends, ahvn::actors, ahvn::integrations (and ahvn::llm_stub) and finds their dependencies itself (find_dependency), with the
# find modules Debian's packages lack installed beside it.
set(AHVN_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ahvn_cache")
install(EXPORT ahvn_cache_targets NAMESPACE ahvn:: FILE ahvn_cacheTargets.cmake
  DESTINATION "${AHVN_CMAKE_INSTALL_DIR}" COMPONENT dev)
get_property(_ahvn_deps GLOBAL PROPERTY AHVN_CONFIG_DEPENDENCIES)
set(AHVN_FIND_DEPENDENCIES "")
foreach(_dep IN LISTS _ahvn_deps)
  string(APPEND AHVN_FIND_DEPENDENCIES "find_dependency(${_dep})\n")
endforeach()
get_property(_ahvn_pkg_deps GLOBAL PROPERTY AHVN_CONFIG_PKG_DEPENDENCIES)
if(_ahvn_pkg_deps)
  string(APPEND AHVN_FIND_DEPENDENCIES "find_dependency(PkgConfig)\n")
  foreach(_dep IN LISTS _ahvn_pkg_deps)
    string(REPLACE " " ";" _dep_parts "${_dep}")
    list(GET _dep_parts 0 _prefix)
    list(GET _dep_parts 1 _module)
    string(APPEND AHVN_FIND_DEPENDENCIES
           "pkg_check_modules(${_prefix} REQUIRED IMPORTED_TARGET ${_module})\n")
  endforeach()
endif()
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/ahvn_cacheConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/ahvn_cacheConfig.cmake"
  INSTALL_DESTINATION "${AHVN_CMAKE_INSTALL_DIR}")
# 0.x: a new minor version may break the API, so only the same MAJOR.MINOR is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ahvn_cacheConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
file(GLOB AHVN_FIND_MODULES "${PROJECT_SOURCE_DIR}/cmake/Find*.cmake")
install(FILES "${PROJECT_BINARY_DIR}/ahvn_cacheConfig.cmake"
  "${PROJECT_BINARY_DIR}/ahvn_cacheConfigVersion.cmake" ${AHVN_FIND_MODULES}
  DESTINATION "${AHVN_CMAKE_INSTALL_DIR}" COMPONENT dev)

# pkg-config, for builds without CMake. The prefix is computed from where the .pc file lies, so
# the installed tree can be moved (or unpacked with dpkg -x) and still works.
set(_ahvn_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH AHVN_PC_PREFIX_FROM_PCFILEDIR "/root/${_ahvn_pc_dir}" "/root")
string(REGEX REPLACE "/$" "" AHVN_PC_PREFIX_FROM_PCFILEDIR "${AHVN_PC_PREFIX_FROM_PCFILEDIR}")
set(AHVN_PC_LIBS "")
set(_ahvn_libs_reversed ${AHVN_LIBRARIES})
list(REVERSE _ahvn_libs_reversed) # dependents first, for static linking
foreach(_lib IN LISTS _ahvn_libs_reversed)
  string(APPEND AHVN_PC_LIBS " -l${_lib}")
endforeach()
if(BUILD_SHARED_LIBS)
  set(AHVN_PC_LIBS_PUBLIC "${AHVN_PC_LIBS} ${AHVN_PC_DEPENDENCY_LIBS}")
else()
  # A static library needs its private dependencies on every link line.
  set(AHVN_PC_LIBS_PUBLIC "${AHVN_PC_LIBS} ${AHVN_PC_DEPENDENCY_LIBS} ${AHVN_PC_PRIVATE_LIBS}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/ahvn_cache.pc.in"
  "${PROJECT_BINARY_DIR}/ahvn_cache.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/ahvn_cache.pc" DESTINATION "${_ahvn_pc_dir}" COMPONENT dev)

# The consumer example, as documentation (share/doc/ahvn_cache/examples).
install(DIRECTORY "${PROJECT_SOURCE_DIR}/examples/" DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples"
  COMPONENT dev)

# Debian packages: `cpack -G DEB` in the build directory (README "Installing") writes
# ahvn-cache_<version>_amd64.deb and ahvn-cache-dev_<version>_amd64.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ahvn-cache)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "ahvn-cache maintainers <ahvn-cache@users.noreply.github.com>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Programs and libraries are stripped (the build tree keeps the debug information).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON) # ahvn-cache-dev depends on ahvn-cache (= version)
set(CPACK_COMPONENT_DEV_DEPENDS runtime)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ahvn-cache)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "actor-based caching and memoization on CAF 0.17 (library, tools)
ahvn-cache memoizes slow or costly calls (an LLM API, a database, a heavy computation) in
memory, in LMDB, in a JSON directory or in a SQL database (SQLite, PostgreSQL, MariaDB), from
many threads and CAF actors at once, with keys byte-for-byte equal to Python AgentHeaven's.
This package holds the shared libraries and the programs cachectl and ahvn-demo.")
# Depends: computed by dpkg-shlibdeps from what the libraries and programs link
# (libcaf-core0.17, liblmdb0, libsoci-*4.0, libspdlog1.10, libstdc++6, ...).
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ahvn-cache-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "actor-based caching and memoization on CAF 0.17 (development files)
The headers (<ahvn/cache.hpp>), the CMake package config (find_package(ahvn_cache), targets
ahvn::cache, ahvn::messages, ahvn::backends, ahvn::actors), the pkg-config file ahvn_cache.pc
and an example project in /usr/share/doc/ahvn_cache/examples.")
# The -dev packages of what the headers include (CAF, nlohmann_json, lmdb.h) and of what the
# package config finds (SOCI and the client headers its find module asks for, spdlog, OpenSSL).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libcaf-dev (>= 0.17), libcaf-dev (<< 0.18), liblmdb-dev, libsoci-dev (>= 4), libpq-dev, libmariadb-dev, nlohmann-json3-dev (>= 3.10), libspdlog-dev, libssl-dev, libcpp-httplib-dev, pkg-config")
include(CPack)
